package io.strata.bench.jmh;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The figure a {@code @Benchmark} method measures, as {@code ./strata bench jmh} reports it, and
 * the anchor it is divided by. In {@link #name}, {@code {param}} stands for the value of the
 * benchmark's {@code @Param} field of that name ({@code jmh.encoding.{encoding}.decode}). An anchor
 * is itself a benchmark with this annotation and an empty {@link #anchor}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface BenchFigure {

    /** The figure's name, {@code jmh.<area>.<what>}; anchors are named {@code jmh.anchor.<what>}. */
    String name();

    /** The name of the anchor benchmark this figure is divided by; empty for an anchor. */
    String anchor() default "";
}
