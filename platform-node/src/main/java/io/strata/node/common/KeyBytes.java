package io.strata.node.common;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Keys are bytes (Redis's keys are: an entity key serialised by a feature store is not text), held
 * as Java strings so that every store, door and log keeps one key type. The mapping is Python's
 * {@code surrogateescape}: bytes that are UTF-8 decode as text, and each byte of a sequence that
 * is not becomes the lone surrogate {@code U+DC00 + byte} ({@code U+DC80..U+DCFF}). UTF-8 text
 * never decodes to a lone surrogate, so the mapping is one to one and {@link #toBytes} gives the
 * key's bytes back exactly; a UTF-8 key is the same string it always was. Stateless.
 */
public final class KeyBytes {

    private KeyBytes() {}

    /** The key whose bytes are {@code bytes}. */
    public static String fromBytes(byte[] bytes) {
        if (isAscii(bytes)) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                decoder.flush(out);
                break;
            }
            // Malformed or unmappable: each byte of the bad sequence becomes its escape.
            for (int i = 0; i < result.length(); i++) {
                out.put((char) (0xDC00 | (in.get() & 0xFF)));
            }
        }
        out.flip();
        return out.toString();
    }

    /** The bytes of {@code key}: its UTF-8 encoding, with each escape char turned back into its byte. */
    public static byte[] toBytes(String key) {
        if (!hasEscapes(key)) {
            return key.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(key.length() * 2);
        int runStart = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (isEscape(key, i)) {
                out.writeBytes(key.substring(runStart, i).getBytes(StandardCharsets.UTF_8));
                out.write(c & 0xFF);
                runStart = i + 1;
            }
        }
        out.writeBytes(key.substring(runStart).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /**
     * {@code key} as text to show (in a message, a JSON listing without base64): each byte that is
     * not UTF-8 shown as U+FFFD, as a UTF-8 decoder shows it.
     */
    public static String printable(String text) {
        if (!hasEscapes(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            out.append(isEscape(text, i) ? '\uFFFD' : text.charAt(i));
        }
        return out.toString();
    }

    /** Whether {@code key} is UTF-8 text (holds no escaped byte). */
    public static boolean isText(String key) {
        return !hasEscapes(key);
    }

    private static boolean hasEscapes(String key) {
        for (int i = 0; i < key.length(); i++) {
            if (isEscape(key, i)) {
                return true;
            }
        }
        return false;
    }

    /** A low surrogate U+DC80..U+DCFF that does not end a surrogate pair. */
    private static boolean isEscape(String key, int i) {
        char c = key.charAt(i);
        return c >= 0xDC80 && c <= 0xDCFF && (i == 0 || !Character.isHighSurrogate(key.charAt(i - 1)));
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
