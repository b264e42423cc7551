package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.strata.node.common.StrataException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A computed field's expression, such as {@code price * quantity + 1} or
 * {@code if(country = 'NL', lower(city), 'other')}: a small language evaluated over one JSON
 * record, with no way to reach anything but the record.
 *
 * <p>Grammar, loosest first: {@code or}; {@code and}; {@code not}; comparisons {@code = == != <> <
 * <= > >=} (not chained); {@code + -}; {@code * / %}; unary {@code -}; then numbers ({@code 42},
 * {@code 2.5e3}), strings in single or double quotes (escapes {@code \\ \' \" \n \t}),
 * {@code true}, {@code false}, {@code null}, parentheses, function calls and field references
 * (identifiers {@code [A-Za-z_][A-Za-z0-9_]*} joined by '.', a {@link FieldPath}; a missing field
 * is null). Functions: {@code lower(s)}, {@code upper(s)}, {@code concat(v, ...)} (nulls
 * skipped, non-strings as their JSON text), {@code length(s)} (of a string or an array),
 * {@code abs(n)}, {@code round(n)} (an integer) and {@code round(n, digits)} (a float), half away from zero,
 * {@code floor(n)}, {@code ceil(n)}, {@code coalesce(v, ...)} (the first non-null),
 * {@code if(cond, a, b)} (b when cond is false or null), {@code substr(s, start[, length])} (start
 * counts from 1, as in SQL).
 *
 * <p>Values are JSON values. Nulls propagate as in SQL: arithmetic, comparisons and functions of a
 * null are null, and {@code and}/{@code or}/{@code not} use three-valued logic. Integer
 * arithmetic stays integral ({@code %} too) and fails on overflow; {@code /} always gives a
 * float. Division or remainder by zero, and a float result that is not finite, is null.
 * Comparisons follow {@link RecordFilter}'s order; {@code =} between values of different kinds
 * is false, ordering them is an error. At run time a type error (such as {@code 'a' * 2}) throws
 * {@link RecordException}: the record is bad.
 *
 * <p>Parse errors are 400s with code {@code invalid_transform} naming the character position.
 * Expressions are at most {@link #MAX_LENGTH} characters and nest at most {@link #MAX_DEPTH}
 * deep. Immutable and thread-safe; two expressions are equal when their source texts are.
 */
public final class Expression {

    /** Longest expression source, in characters. */
    public static final int MAX_LENGTH = 1000;
    /** Deepest nesting of parentheses, calls, unary operators and {@code not}. */
    public static final int MAX_DEPTH = 32;

    private final String source;
    private final Node root;

    private Expression(String source, Node root) {
        this.source = source;
        this.root = root;
    }

    /**
     * Parses an expression.
     *
     * @throws StrataException {@code invalid_transform}, saying what is wrong at which character
     */
    public static Expression parse(String source) {
        if (source.length() > MAX_LENGTH) {
            throw StrataException.invalid("invalid_transform", "expression is " + source.length()
                    + " characters long; at most " + MAX_LENGTH + " are allowed");
        }
        return new Expression(source, new Parser(source).parseAll());
    }

    /**
     * Evaluates the expression over {@code record}; the result may be a JSON null.
     *
     * @throws RecordException on a type error or integer overflow
     */
    public JsonNode eval(JsonNode record) {
        return root.eval(record);
    }

    /** The text the expression was parsed from. */
    public String source() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Expression e && e.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }

    private interface Node {
        JsonNode eval(JsonNode record);
    }

    private record Literal(JsonNode value) implements Node {
        public JsonNode eval(JsonNode record) {
            return value;
        }
    }

    private record Field(FieldPath path) implements Node {
        public JsonNode eval(JsonNode record) {
            JsonNode v = path.get(record);
            return v == null ? NullNode.instance : v;
        }
    }

    private record Negate(Node operand) implements Node {
        public JsonNode eval(JsonNode record) {
            JsonNode v = operand.eval(record);
            if (v.isNull()) {
                return v;
            }
            if (isLong(v)) {
                return exact(() -> LongNode.valueOf(Math.negateExact(v.longValue())), "-");
            }
            return number(-numeric(v, "-").doubleValue());
        }
    }

    private record Not(Node operand) implements Node {
        public JsonNode eval(JsonNode record) {
            Boolean v = logical(operand.eval(record), "not");
            return v == null ? NullNode.instance : BooleanNode.valueOf(!v);
        }
    }

    /** {@code and} when {@code isAnd}, else {@code or}; the right side is evaluated only when it matters. */
    private record Logic(boolean isAnd, Node left, Node right) implements Node {
        public JsonNode eval(JsonNode record) {
            String op = isAnd ? "and" : "or";
            Boolean l = logical(left.eval(record), op);
            if (l != null && l != isAnd) {
                return BooleanNode.valueOf(l);
            }
            Boolean r = logical(right.eval(record), op);
            if (r != null && r != isAnd) {
                return BooleanNode.valueOf(r);
            }
            return l == null || r == null ? NullNode.instance : BooleanNode.valueOf(isAnd);
        }
    }

    private record Binary(String op, Node left, Node right) implements Node {
        public JsonNode eval(JsonNode record) {
            JsonNode l = left.eval(record);
            JsonNode r = right.eval(record);
            if (l.isNull() || r.isNull()) {
                return NullNode.instance;
            }
            return switch (op) {
                case "=", "==" -> BooleanNode.valueOf(equal(l, r));
                case "!=", "<>" -> BooleanNode.valueOf(!equal(l, r));
                case "<" -> BooleanNode.valueOf(order(l, r) < 0);
                case "<=" -> BooleanNode.valueOf(order(l, r) <= 0);
                case ">" -> BooleanNode.valueOf(order(l, r) > 0);
                case ">=" -> BooleanNode.valueOf(order(l, r) >= 0);
                default -> arithmetic(l, r);
            };
        }

        private boolean equal(JsonNode l, JsonNode r) {
            Integer c = JsonValues.compare(l, r);
            return c == null ? l.equals(r) : c == 0;
        }

        private int order(JsonNode l, JsonNode r) {
            Integer c = JsonValues.compare(l, r);
            if (c == null) {
                throw new RecordException("'" + op + "' cannot order " + JsonValues.show(l) + " and " + JsonValues.show(r));
            }
            return c;
        }

        private JsonNode arithmetic(JsonNode l, JsonNode r) {
            if (op.equals("/")) {
                double d = numeric(r, op).doubleValue();
                return d == 0 ? NullNode.instance : number(numeric(l, op).doubleValue() / d);
            }
            if (isLong(l) && isLong(r)) {
                long a = l.longValue();
                long b = r.longValue();
                return switch (op) {
                    case "+" -> exact(() -> LongNode.valueOf(Math.addExact(a, b)), op);
                    case "-" -> exact(() -> LongNode.valueOf(Math.subtractExact(a, b)), op);
                    case "*" -> exact(() -> LongNode.valueOf(Math.multiplyExact(a, b)), op);
                    default -> b == 0 ? NullNode.instance : LongNode.valueOf(a % b);
                };
            }
            double a = numeric(l, op).doubleValue();
            double b = numeric(r, op).doubleValue();
            return switch (op) {
                case "+" -> number(a + b);
                case "-" -> number(a - b);
                case "*" -> number(a * b);
                default -> b == 0 ? NullNode.instance : number(a % b);
            };
        }
    }

    private record Call(Function fn, List<Node> args) implements Node {
        public JsonNode eval(JsonNode record) {
            switch (fn) {
                case COALESCE -> {
                    for (Node a : args) {
                        JsonNode v = a.eval(record);
                        if (!v.isNull()) {
                            return v;
                        }
                    }
                    return NullNode.instance;
                }
                case IF -> {
                    Boolean c = logical(args.get(0).eval(record), "if");
                    return args.get(c != null && c ? 1 : 2).eval(record);
                }
                case CONCAT -> {
                    StringBuilder out = new StringBuilder();
                    for (Node a : args) {
                        JsonNode v = a.eval(record);
                        if (!v.isNull()) {
                            out.append(v.isTextual() ? v.textValue() : v.toString());
                        }
                    }
                    return TextNode.valueOf(out.toString());
                }
                default -> {
                    List<JsonNode> values = new ArrayList<>(args.size());
                    for (Node a : args) {
                        values.add(a.eval(record));
                    }
                    return values.get(0).isNull() ? NullNode.instance : fn.apply(values);
                }
            }
        }
    }

    /** The functions an expression may call, with how many arguments each takes. */
    private enum Function {
        LOWER(1, 1), UPPER(1, 1), CONCAT(1, Integer.MAX_VALUE), LENGTH(1, 1), ABS(1, 1), ROUND(1, 2),
        FLOOR(1, 1), CEIL(1, 1), COALESCE(1, Integer.MAX_VALUE), IF(3, 3), SUBSTR(2, 3);

        final int minArgs;
        final int maxArgs;

        Function(int minArgs, int maxArgs) {
            this.minArgs = minArgs;
            this.maxArgs = maxArgs;
        }

        String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Applies a function of a non-null first argument (coalesce, if and concat are evaluated lazily in {@link Call}). */
        JsonNode apply(List<JsonNode> a) {
            String name = jsonName();
            JsonNode x = a.get(0);
            return switch (this) {
                case LOWER -> TextNode.valueOf(text(x, name).toLowerCase(Locale.ROOT));
                case UPPER -> TextNode.valueOf(text(x, name).toUpperCase(Locale.ROOT));
                case LENGTH -> x.isArray() ? LongNode.valueOf(x.size())
                        : LongNode.valueOf(text(x, name).codePointCount(0, x.textValue().length()));
                case ABS -> isLong(x) ? exact(() -> LongNode.valueOf(Math.absExact(x.longValue())), name)
                        : number(Math.abs(numeric(x, name).doubleValue()));
                case ROUND -> round(x, a.size() > 1 ? a.get(1) : null);
                case FLOOR -> isLong(x) ? x : integral(Math.floor(numeric(x, name).doubleValue()), name);
                case CEIL -> isLong(x) ? x : integral(Math.ceil(numeric(x, name).doubleValue()), name);
                case SUBSTR -> substr(text(x, name), a.get(1), a.size() > 2 ? a.get(2) : null);
                case CONCAT, COALESCE, IF -> throw new IllegalStateException(name + " is evaluated in Call");
            };
        }

        private static JsonNode round(JsonNode x, JsonNode digits) {
            if (digits == null) {
                return isLong(x) ? x : integral(new BigDecimal(numeric(x, "round").doubleValue())
                        .setScale(0, RoundingMode.HALF_UP).doubleValue(), "round");
            }
            if (digits.isNull()) {
                return NullNode.instance;
            }
            BigDecimal d = isLong(x) ? BigDecimal.valueOf(x.longValue())
                    : new BigDecimal(Double.toString(numeric(x, "round").doubleValue()));
            return number(d.setScale((int) Math.max(-20, Math.min(20, whole(digits, "round"))), RoundingMode.HALF_UP).doubleValue());
        }

        private static JsonNode substr(String s, JsonNode start, JsonNode length) {
            if (start.isNull() || (length != null && length.isNull())) {
                return NullNode.instance;
            }
            long from = Math.max(1, whole(start, "substr")) - 1;
            long to = length == null ? s.length() : from + Math.max(0, whole(length, "substr"));
            return TextNode.valueOf(from >= s.length() ? "" : s.substring((int) from, (int) Math.min(s.length(), to)));
        }
    }

    private static boolean isLong(JsonNode v) {
        return v.isIntegralNumber() && v.canConvertToLong();
    }

    private static JsonNode numeric(JsonNode v, String op) {
        if (!v.isNumber()) {
            throw new RecordException("'" + op + "' needs a number, got " + JsonValues.show(v));
        }
        return v;
    }

    private static String text(JsonNode v, String op) {
        if (!v.isTextual()) {
            throw new RecordException("'" + op + "' needs a string, got " + JsonValues.show(v));
        }
        return v.textValue();
    }

    private static long whole(JsonNode v, String op) {
        if (!isLong(v)) {
            throw new RecordException("'" + op + "' needs a whole number, got " + JsonValues.show(v));
        }
        return v.longValue();
    }

    private static Boolean logical(JsonNode v, String op) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new RecordException("'" + op + "' needs true or false, got " + JsonValues.show(v));
        }
        return v.booleanValue();
    }

    private static JsonNode number(double d) {
        return Double.isFinite(d) ? DoubleNode.valueOf(d) : NullNode.instance;
    }

    private static JsonNode integral(double d, String op) {
        if (Double.isNaN(d) || Math.abs(d) >= 9.2e18) {
            throw new RecordException("'" + op + "' result " + d + " does not fit a 64-bit integer");
        }
        return LongNode.valueOf((long) d);
    }

    private static JsonNode exact(java.util.function.Supplier<JsonNode> f, String op) {
        try {
            return f.get();
        } catch (ArithmeticException e) {
            throw new RecordException("integer overflow in '" + op + "'");
        }
    }

    /** Recursive descent over the source text, one method per precedence level. */
    private static final class Parser {
        private final String src;
        private int pos;
        private int depth;

        Parser(String src) {
            this.src = src;
        }

        Node parseAll() {
            Node n = or();
            skipSpace();
            if (pos < src.length()) {
                throw error("unexpected '" + src.charAt(pos) + "'");
            }
            return n;
        }

        private Node or() {
            Node n = and();
            while (keyword("or")) {
                n = new Logic(false, n, and());
            }
            return n;
        }

        private Node and() {
            Node n = not();
            while (keyword("and")) {
                n = new Logic(true, n, not());
            }
            return n;
        }

        private Node not() {
            return keyword("not") ? nested(() -> new Not(not())) : comparison();
        }

        private Node comparison() {
            Node n = additive();
            String op = nextSymbol(List.of("==", "!=", "<>", "<=", ">=", "=", "<", ">"));
            if (op == null) {
                return n;
            }
            n = new Binary(op, n, additive());
            skipSpace();
            if (pos < src.length() && "=!<>".indexOf(src.charAt(pos)) >= 0) {
                throw error("comparisons do not chain; use and");
            }
            return n;
        }

        private Node additive() {
            return leftAssociative(List.of("+", "-"), this::multiplicative);
        }

        private Node multiplicative() {
            return leftAssociative(List.of("*", "/", "%"), this::unary);
        }

        private Node leftAssociative(List<String> ops, java.util.function.Supplier<Node> operand) {
            Node n = operand.get();
            for (String op = nextSymbol(ops); op != null; op = nextSymbol(ops)) {
                n = new Binary(op, n, operand.get());
            }
            return n;
        }

        /** Consumes and returns the first of {@code ops} (longest first) that comes next, or null. */
        private String nextSymbol(List<String> ops) {
            for (String op : ops) {
                if (symbol(op)) {
                    return op;
                }
            }
            return null;
        }

        private Node unary() {
            return symbol("-") ? nested(() -> new Negate(unary())) : primary();
        }

        private Node primary() {
            skipSpace();
            if (pos >= src.length()) {
                throw error("expression ends too soon");
            }
            char c = src.charAt(pos);
            if (symbol("(")) {
                return nested(() -> {
                    Node n = or();
                    expect(")");
                    return n;
                });
            }
            if (Character.isDigit(c)) {
                return number();
            }
            if (c == '\'' || c == '"') {
                return string(c);
            }
            if (identStart(c)) {
                int start = pos;
                String name = identifier();
                switch (name) {
                    case "true" -> {
                        return new Literal(BooleanNode.TRUE);
                    }
                    case "false" -> {
                        return new Literal(BooleanNode.FALSE);
                    }
                    case "null" -> {
                        return new Literal(NullNode.instance);
                    }
                    default -> {
                        skipSpace();
                        return pos < src.length() && src.charAt(pos) == '(' ? call(name, start) : new Field(FieldPath.of(name));
                    }
                }
            }
            throw error("unexpected '" + c + "'");
        }

        private Node call(String name, int start) {
            Function fn = null;
            for (Function f : Function.values()) {
                if (f.jsonName().equals(name)) {
                    fn = f;
                }
            }
            if (fn == null) {
                pos = start;
                throw error("unknown function '" + name + "' (functions: lower, upper, concat, length, abs, round,"
                        + " floor, ceil, coalesce, if, substr)");
            }
            expect("(");
            List<Node> args = nested(() -> {
                List<Node> list = new ArrayList<>();
                if (!symbol(")")) {
                    do {
                        list.add(or());
                    } while (symbol(","));
                    expect(")");
                }
                return list;
            });
            if (args.size() < fn.minArgs || args.size() > fn.maxArgs) {
                pos = start;
                String wanted = fn.minArgs == fn.maxArgs ? String.valueOf(fn.minArgs)
                        : fn.maxArgs == Integer.MAX_VALUE ? "at least " + fn.minArgs : fn.minArgs + " or " + fn.maxArgs;
                throw error(name + " takes " + wanted + " argument" + (wanted.matches("(at least )?1") ? "" : "s") + ", got " + args.size());
            }
            return new Call(fn, List.copyOf(args));
        }

        private Node number() {
            int start = pos;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                pos++;
            }
            boolean fraction = false;
            if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
                fraction = true;
                pos++;
                while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
                int e = pos + 1;
                if (e < src.length() && (src.charAt(e) == '+' || src.charAt(e) == '-')) {
                    e++;
                }
                if (e < src.length() && Character.isDigit(src.charAt(e))) {
                    fraction = true;
                    pos = e;
                    while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                        pos++;
                    }
                }
            }
            String text = src.substring(start, pos);
            try {
                if (fraction) {
                    double d = Double.parseDouble(text);
                    if (Double.isFinite(d)) {
                        return new Literal(DoubleNode.valueOf(d));
                    }
                } else {
                    return new Literal(LongNode.valueOf(Long.parseLong(text)));
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            pos = start;
            throw error("number " + text + " is out of range");
        }

        private Node string(char quote) {
            int start = pos++;
            StringBuilder out = new StringBuilder();
            while (pos < src.length()) {
                char c = src.charAt(pos++);
                if (c == quote) {
                    return new Literal(TextNode.valueOf(out.toString()));
                }
                if (c == '\\') {
                    char e = pos < src.length() ? src.charAt(pos++) : ' ';
                    switch (e) {
                        case '\\', '\'', '"' -> out.append(e);
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        default -> {
                            pos -= 2;
                            throw error("unknown escape '\\" + e + "' (escapes: \\\\ \\' \\\" \\n \\t)");
                        }
                    }
                } else {
                    out.append(c);
                }
            }
            pos = start;
            throw error("string is not closed");
        }

        private String identifier() {
            int start = pos;
            pos++;
            while (pos < src.length() && (identPart(src.charAt(pos))
                    || (src.charAt(pos) == '.' && pos + 1 < src.length() && identStart(src.charAt(pos + 1))))) {
                pos++;
            }
            return src.substring(start, pos);
        }

        private boolean keyword(String word) {
            skipSpace();
            int end = pos + word.length();
            if (src.startsWith(word, pos) && (end >= src.length() || !identPart(src.charAt(end)))) {
                pos = end;
                return true;
            }
            return false;
        }

        private boolean symbol(String s) {
            skipSpace();
            if (src.startsWith(s, pos)) {
                pos += s.length();
                return true;
            }
            return false;
        }

        private void expect(String s) {
            if (!symbol(s)) {
                throw error(pos < src.length() ? "expected '" + s + "' but found '" + src.charAt(pos) + "'"
                        : "expected '" + s + "' but the expression ends");
            }
        }

        /** Parses one nesting level deeper, refusing to go past {@link #MAX_DEPTH}. */
        private <T> T nested(java.util.function.Supplier<T> inner) {
            if (++depth > MAX_DEPTH) {
                throw error("expression nests deeper than " + MAX_DEPTH + " levels");
            }
            T result = inner.get();
            depth--;
            return result;
        }

        private void skipSpace() {
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
        }

        private static boolean identStart(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        }

        private static boolean identPart(char c) {
            return identStart(c) || (c >= '0' && c <= '9');
        }

        private StrataException error(String problem) {
            return StrataException.invalid("invalid_transform", problem + " at character " + (pos + 1) + " of '" + src + "'");
        }
    }
}
