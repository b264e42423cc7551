package io.strata.bench;

import java.time.Duration;

/** The time of one run: a warm-up that is not counted, then the measured duration. */
record Window(Duration warmup, Duration duration) {}
