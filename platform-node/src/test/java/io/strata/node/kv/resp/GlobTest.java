package io.strata.node.kv.resp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redis's glob rules, with the examples of its KEYS documentation. */
class GlobTest {

    @Test
    void redisDocumentationExamples() {
        assertMatches("h?llo", "hello", "hallo", "hxllo");
        assertNoMatch("h?llo", "hllo", "heello");
        assertMatches("h*llo", "hllo", "heeeello");
        assertMatches("h[ae]llo", "hello", "hallo");
        assertNoMatch("h[ae]llo", "hillo");
        assertMatches("h[^e]llo", "hallo", "hbllo");
        assertNoMatch("h[^e]llo", "hello");
        assertMatches("h[a-b]llo", "hallo", "hbllo");
        assertNoMatch("h[a-b]llo", "hcllo");
    }

    @Test
    void escapesAndCharactersRegexWouldRead() {
        assertMatches("a\\*b", "a*b");
        assertNoMatch("a\\*b", "axb");
        assertMatches("feast:{p}.(x)+$", "feast:{p}.(x)+$");
        assertNoMatch("a.c", "abc");
        assertMatches("[\\]]", "]");
        assertMatches("*", "", "anything\nwith a line break");
        assertMatches("line*", "line1\nline2");
        assertNoMatch("[]", "a", "");
        assertMatches("[abc", "[abc");
    }

    @Test
    void literalPrefixIsWhatEveryMatchStartsWith() {
        assertEquals("user:", Glob.of("user:*", false).literalPrefix());
        assertEquals("user:1", Glob.of("user:1?", false).literalPrefix());
        assertEquals("a*b", Glob.of("a\\*b*", false).literalPrefix());
        assertEquals("", Glob.of("*:user", false).literalPrefix());
        assertEquals("ab", Glob.of("ab[cd]", false).literalPrefix());
    }

    @Test
    @Timeout(5)
    void manyStarsAgainstALongTextTakeNoTime() {
        // Redis's "Regression for pattern matching long nested loops": a backtracking matcher runs for ever.
        String text = "a".repeat(40);
        assertFalse(Glob.of("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", false).matches(text));
        assertFalse(Glob.of("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", false).matches("a".repeat(1024)));
        assertTrue(Glob.of("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", false).matches(text));
        assertMatches("a**b", "ab", "axxb");
        assertMatches("*x*", "x", "axb");
        assertNoMatch("*x*", "ab");
    }

    @Test
    void configParametersMatchIgnoringCase() {
        assertTrue(Glob.of("MAXMEMORY-p*", true).matches("maxmemory-policy"));
        assertFalse(Glob.of("MAXMEMORY-p*", false).matches("maxmemory-policy"));
    }

    private static void assertMatches(String pattern, String... texts) {
        for (String text : texts) {
            assertTrue(Glob.of(pattern, false).matches(text), pattern + " should match " + text);
        }
    }

    private static void assertNoMatch(String pattern, String... texts) {
        for (String text : texts) {
            assertFalse(Glob.of(pattern, false).matches(text), pattern + " should not match " + text);
        }
    }
}
