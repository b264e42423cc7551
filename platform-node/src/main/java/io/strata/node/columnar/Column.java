package io.strata.node.columnar;

/** A column of a table schema. */
public record Column(String name, ColumnType type, boolean nullable) {}
