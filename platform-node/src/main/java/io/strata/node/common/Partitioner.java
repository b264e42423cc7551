package io.strata.node.common;



/**
 * Maps keys to partitions: {@code murmur3_x86_32(utf8(key), seed 0)} made non-negative, mod N.
 * Fixed forever, because data on disk is placed by it; it matches Guava's
 * {@code Hashing.murmur3_32_fixed()} so clients can compute a key's partition themselves.
 */
public final class Partitioner {

    private Partitioner() {}

    /** The partition of {@code key} among {@code partitions}. */
    public static int partitionFor(String key, int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        }
        return (murmur3(KeyBytes.toBytes(key)) & 0x7fffffff) % partitions;
    }

    /** MurmurHash3 x86 32-bit with seed 0. */
    public static int murmur3(byte[] data) {
        final int c1 = 0xcc9e2d51;
        final int c2 = 0x1b873593;
        int h1 = 0;
        int roundedEnd = data.length & ~3;
        for (int i = 0; i < roundedEnd; i += 4) {
            int k1 = (data[i] & 0xff) | ((data[i + 1] & 0xff) << 8) | ((data[i + 2] & 0xff) << 16) | (data[i + 3] << 24);
            k1 *= c1;
            k1 = Integer.rotateLeft(k1, 15);
            k1 *= c2;
            h1 ^= k1;
            h1 = Integer.rotateLeft(h1, 13);
            h1 = h1 * 5 + 0xe6546b64;
        }
        int k1 = 0;
        switch (data.length & 3) {
            case 3:
                k1 = (data[roundedEnd + 2] & 0xff) << 16;
                // fall through
            case 2:
                k1 |= (data[roundedEnd + 1] & 0xff) << 8;
                // fall through
            case 1:
                k1 |= data[roundedEnd] & 0xff;
                k1 *= c1;
                k1 = Integer.rotateLeft(k1, 15);
                k1 *= c2;
                h1 ^= k1;
                break;
            default:
                break;
        }
        h1 ^= data.length;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }
}
