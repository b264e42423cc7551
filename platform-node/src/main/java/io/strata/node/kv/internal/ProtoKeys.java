package io.strata.node.kv.internal;

import com.google.protobuf.ByteString;
import io.strata.node.common.KeyBytes;

import java.util.List;

/** Keys in Protobuf messages (log entries, snapshots, commands between nodes) are their bytes ({@link KeyBytes}). */
public final class ProtoKeys {

    private ProtoKeys() {}

    public static ByteString of(String key) {
        return ByteString.copyFrom(KeyBytes.toBytes(key));
    }

    public static String key(ByteString bytes) {
        return KeyBytes.fromBytes(bytes.toByteArray());
    }

    public static List<ByteString> of(List<String> keys) {
        return keys.stream().map(ProtoKeys::of).toList();
    }

    public static List<String> keys(List<ByteString> bytes) {
        return bytes.stream().map(ProtoKeys::key).toList();
    }
}
