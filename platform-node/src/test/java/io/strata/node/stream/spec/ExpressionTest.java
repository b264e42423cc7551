package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.strata.node.stream.spec.TestJson.json;
import static io.strata.node.stream.spec.TestJson.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The expression language: precedence, values, nulls, functions, run-time errors and parse errors with positions. */
class ExpressionTest {

    private static final String RECORD = "{'price': 2.5, 'quantity': 4, 'first': 'Ada', 'last': 'Lovelace', 'n': null,"
            + " 'user': {'age': 36, 'city': 'London'}, 'tags': ['a', 'b'], 'zero': 0}";

    /** Each expression against {@link #RECORD}, with its expected result as JSON text. */
    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("values")
    void evaluates(String expression, String expected) {
        assertEquals(json(expected).toString(), Expression.parse(expression).eval(json(RECORD)).toString());
    }

    static Stream<Arguments> values() {
        return Stream.of(
                // precedence and associativity
                arguments("1 + 2 * 3", "7"),
                arguments("(1 + 2) * 3", "9"),
                arguments("10 - 4 - 3", "3"),
                arguments("2 * 3 % 4", "2"),
                arguments("-2 * 3", "-6"),
                arguments("- -2", "2"),
                arguments("-(1 + 2)", "-3"),
                arguments("7 / 2", "3.5"),
                arguments("6 / 3", "2.0"),
                arguments("7 % 4", "3"),
                arguments("-7 % 4", "-3"),
                arguments("7.5 % 2", "1.5"),
                arguments("1 + 2 = 3 and not false", "true"),
                arguments("1 < 2 or 1 / 0 = 1", "true"),
                arguments("false and 'x' * 2 = 1", "false"),
                arguments("not 1 = 2", "true"),
                arguments("true or false and false", "true"),
                arguments("2.5e2 + 1", "251.0"),
                // fields
                arguments("price * quantity + 1", "11.0"),
                arguments("user.age + 1", "37"),
                arguments("tags", "['a', 'b']"),
                arguments("user.city.name", "null"),
                // comparisons
                arguments("quantity >= 4", "true"),
                arguments("quantity == 4.0", "true"),
                arguments("quantity <> 4", "false"),
                arguments("'5' = 5", "false"),
                arguments("'5' != 5", "true"),
                arguments("'apple' < 'banana'", "true"),
                arguments("false < true", "true"),
                arguments("tags = tags", "true"),
                // nulls propagate; and/or are three-valued
                arguments("missing + 1", "null"),
                arguments("n * 2", "null"),
                arguments("-n", "null"),
                arguments("missing = 1", "null"),
                arguments("null and false", "false"),
                arguments("null and true", "null"),
                arguments("null or true", "true"),
                arguments("null or false", "null"),
                arguments("not null", "null"),
                // division by zero is null
                arguments("1 / 0", "null"),
                arguments("5 % 0", "null"),
                arguments("1.5 % 0", "null"),
                arguments("price / zero", "null"),
                arguments("1e308 * 10", "null"),
                // functions
                arguments("lower(first)", "'ada'"),
                arguments("upper(last)", "'LOVELACE'"),
                arguments("concat(first, ' ', last, ' ', user.age, n)", "'Ada Lovelace 36'"),
                arguments("length('h\u00e9llo')", "5"),
                arguments("length(tags)", "2"),
                arguments("length(missing)", "null"),
                arguments("abs(-3)", "3"),
                arguments("abs(-2.5)", "2.5"),
                arguments("round(2.5)", "3"),
                arguments("round(-2.5)", "-3"),
                arguments("round(7)", "7"),
                arguments("round(3.14159, 2)", "3.14"),
                arguments("round(1250, -2)", "1300.0"),
                arguments("floor(2.7)", "2"),
                arguments("floor(-2.1)", "-3"),
                arguments("ceil(2.1)", "3"),
                arguments("coalesce(missing, n, 'x', 'y')", "'x'"),
                arguments("coalesce(missing)", "null"),
                arguments("if(quantity > 3, 'big', 'small')", "'big'"),
                arguments("if(n, 1, 2)", "2"),
                arguments("if(zero = 0, null, price / zero)", "null"),
                arguments("substr('hello', 2, 3)", "'ell'"),
                arguments("substr('hello', 2)", "'ello'"),
                arguments("substr('hello', 0, 2)", "'he'"),
                arguments("substr('hello', 10)", "''"),
                arguments("substr('hello', 2, -1)", "''"),
                arguments("substr(n, 1)", "null"),
                // literals and escapes
                arguments("'it\\'s'", "\"it's\""),
                arguments("\"say \\\"hi\\\"\\n\"", "'say \"hi\"\\n'"),
                arguments("null", "null"),
                arguments("  true  ", "true"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimeErrors")
    void typeErrorsMakeTheRecordBad(String expression, String reason) {
        RecordException e = assertThrows(RecordException.class, () -> Expression.parse(expression).eval(json(RECORD)));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    static Stream<Arguments> runtimeErrors() {
        return Stream.of(
                arguments("first * 2", "'*' needs a number, got \"Ada\""),
                arguments("-first", "'-' needs a number"),
                arguments("'a' < 1", "'<' cannot order \"a\" and 1"),
                arguments("tags > 1", "'>' cannot order"),
                arguments("9223372036854775807 + 1", "integer overflow in '+'"),
                arguments("-9223372036854775807 - 2", "integer overflow in '-'"),
                arguments("abs(-9223372036854775807 - 1)", "integer overflow in 'abs'"),
                arguments("quantity and true", "'and' needs true or false, got 4"),
                arguments("not 'x'", "'not' needs true or false"),
                arguments("if(1, 2, 3)", "'if' needs true or false"),
                arguments("lower(5)", "'lower' needs a string, got 5"),
                arguments("substr('abc', 1.5)", "'substr' needs a whole number"),
                arguments("floor(1e300)", "does not fit a 64-bit integer"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("parseErrors")
    void parseErrorsNameThePosition(String expression, String message) {
        refused(() -> Expression.parse(expression), "invalid_transform", message);
    }

    static Stream<Arguments> parseErrors() {
        return Stream.of(
                arguments("1 +", "expression ends too soon at character 4"),
                arguments("", "expression ends too soon at character 1"),
                arguments("1 + )", "unexpected ')' at character 5"),
                arguments("a $ b", "unexpected '$' at character 3"),
                arguments("1 2", "unexpected '2' at character 3"),
                arguments("(1 + 2", "expected ')' but the expression ends at character 7"),
                arguments("lower(a b)", "expected ')' but found 'b' at character 9"),
                arguments("eval('x')", "unknown function 'eval' (functions: lower, upper, concat, length, abs, round, floor,"
                        + " ceil, coalesce, if, substr) at character 1"),
                arguments("1 + lower(a, b)", "lower takes 1 argument, got 2 at character 5"),
                arguments("if(a, b)", "if takes 3 arguments, got 2 at character 1"),
                arguments("concat()", "concat takes at least 1 argument, got 0"),
                arguments("round(1, 2, 3)", "round takes 1 or 2 arguments, got 3"),
                arguments("x = 'abc", "string is not closed at character 5"),
                arguments("'a\\qb'", "unknown escape '\\q'"),
                arguments("1 < 2 < 3", "comparisons do not chain; use and at character 7"),
                arguments("99999999999999999999", "number 99999999999999999999 is out of range at character 1"),
                arguments("1e999", "out of range"),
                arguments("a.", "unexpected '.' at character 2"),
                arguments("price * ", "'price * '"));
    }

    @Test
    void nestingIsLimited() {
        String deepest = "(".repeat(Expression.MAX_DEPTH) + "1" + ")".repeat(Expression.MAX_DEPTH);
        assertEquals(1, Expression.parse(deepest).eval(json("{}")).longValue());
        refused(() -> Expression.parse("(" + deepest + ")"), "invalid_transform", "nests deeper than 32 levels at character 34");
        refused(() -> Expression.parse("-".repeat(40) + "1"), "invalid_transform", "nests deeper than 32");
        refused(() -> Expression.parse("not ".repeat(40) + "true"), "invalid_transform", "nests deeper than 32");
        refused(() -> Expression.parse("abs(".repeat(40) + "1" + ")".repeat(40)), "invalid_transform", "nests deeper than 32");
    }

    @Test
    void lengthIsLimited() {
        String longest = "1" + " + 1".repeat((Expression.MAX_LENGTH - 1) / 4);
        assertEquals(1 + (Expression.MAX_LENGTH - 1) / 4, Expression.parse(longest).eval(json("{}")).longValue());
        refused(() -> Expression.parse(longest + "     "), "invalid_transform", "at most 1000");
    }

    @Test
    void expressionsAreEqualByTheirSource() {
        assertEquals(Expression.parse("a + 1"), Expression.parse("a + 1"));
        assertNotEquals(Expression.parse("a + 1"), Expression.parse("a+1"));
        assertEquals("a + 1", Expression.parse("a + 1").source());
    }

    @Test
    void evaluationDoesNotChangeTheRecord() {
        JsonNode record = json(RECORD);
        Expression.parse("concat(upper(first), user.age * 2, coalesce(missing, 1))").eval(record);
        assertEquals(json(RECORD), record);
    }
}
