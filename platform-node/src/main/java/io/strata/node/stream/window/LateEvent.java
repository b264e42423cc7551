package io.strata.node.stream.window;

/**
 * An event that was not aggregated because every window it belongs to had already been closed
 * (the watermark had passed the window's end plus the allowed lateness). A job sends it to its
 * late-data topic; {@code reason} says which watermark it missed.
 */
public record LateEvent(StreamEvent event, String reason) implements WindowOutput {}
