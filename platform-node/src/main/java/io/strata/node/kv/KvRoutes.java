package io.strata.node.kv;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.common.KeyBytes;
import io.strata.node.common.StrataException;
import io.strata.node.common.Utf8;
import io.strata.node.http.ErrorHandling;
import io.strata.node.http.Json;
import io.strata.node.http.StrataRoutes;
import io.strata.node.kv.api.KeyValue;
import io.strata.node.kv.api.MultiGetRequest;
import io.strata.node.kv.api.MultiGetResponse;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The KV HTTP API:
 * <pre>
 * GET    /kv                                  keyspaces
 * PUT    /kv/{space}                          {"partitions": N} creates a keyspace
 * GET    /kv/{space}                          keyspace size
 * GET    /kv/{space}?list=keys[&amp;prefix=P][&amp;cursor=C][&amp;limit=N][&amp;encoding=base64]
 *                                             a page of keys in UTF-8 byte order, next_cursor
 * DELETE /kv/{space}                          deletes the keyspace and every key in it
 * PUT    /kv/{space}/{key}[?ttl=SECONDS]      body = value; If-Match: "v" (CAS) / If-None-Match: * (create only)
 * GET    /kv/{space}/{key}                    value bytes, ETag = version
 * DELETE /kv/{space}/{key}                    optional If-Match
 * POST   /kv/{space}/{key}/incr?by=N          atomic 64-bit counter
 * POST   /kv/{space}/_mget[?encoding=base64]  ["k1","k2"] → {"k1": value|null}; or Protobuf
 * </pre>
 */
public final class KvRoutes extends StrataRoutes {

    private static final Pattern TTL = Pattern.compile("[1-9][0-9]{0,9}");
    private static final Pattern VERSION = Pattern.compile("\"?([1-9][0-9]{0,18})\"?");

    private final KvStore store;

    public KvRoutes(KvStore store) {
        this.store = store;
    }

    @Override
    public Route routes() {
        return pathPrefix("kv", () -> concat(
                pathEndOrSingleSlash(() -> get(this::listKeyspaces)),
                pathPrefix(PathMatchers.segment(), space -> concat(
                        pathEnd(() -> concat(
                                put(() -> createKeyspace(space)),
                                get(() -> parameterOptional("list", list -> list.isPresent()
                                        ? listKeys(space, list.get()) : describeKeyspace(space))),
                                delete(() -> deleteKeyspace(space)))),
                        pathSingleSlash(() -> failWith(StrataException.invalid("invalid_key", "key must not be empty"))),
                        path("_mget", () -> post(() -> multiGet(space))),
                        pathPrefix(PathMatchers.segment(), segment -> keyOf(segment, key -> concat(
                                pathEnd(() -> concat(
                                        get(() -> getKey(space, key)),
                                        put(() -> putKey(space, key)),
                                        delete(() -> deleteKey(space, key)))),
                                path("incr", () -> post(() -> incr(space, key))))))))));
    }

    /**
     * The key a path segment names: its UTF-8 text, or with {@code key_encoding=base64} the key
     * whose bytes the segment is in base64url (keys that are not text, written over RESP).
     */
    private Route keyOf(String segment, java.util.function.Function<String, Route> inner) {
        return parameterOptional("key_encoding", encoding -> {
            if (encoding.isEmpty() || encoding.get().equals("text")) {
                return inner.apply(segment);
            }
            if (!encoding.get().equals("base64")) {
                throw StrataException.invalid("invalid_key_encoding", "key_encoding must be 'text' or 'base64', got '"
                        + encoding.get() + "'");
            }
            try {
                return inner.apply(KeyBytes.fromBytes(Base64.getUrlDecoder().decode(segment)));
            } catch (IllegalArgumentException e) {
                throw StrataException.invalid("invalid_key", "the key must be base64url (key_encoding=base64), got '" + segment + "'");
            }
        });
    }

    // ---- Keyspaces ----------------------------------------------------------------------------

    private Route listKeyspaces() {
        return complete(Json.ok(Map.of("keyspaces", store.keyspaces())));
    }

    private Route createKeyspace(String space) {
        return entity(Unmarshaller.entityToByteArray(), body -> {
            int partitions = KeyspaceOptions.of(body).partitionsOr(store.settings().defaultPartitions());
            boolean existed = store.keyspaces().stream().anyMatch(k -> k.name().equals(space));
            return respondCreated(existed, store.createKeyspace(space, partitions));
        });
    }

    /**
     * The body of {@code PUT /kv/{space}}, every field optional; a body that is not a JSON object
     * leaves them all unset.
     */
    record KeyspaceOptions(Integer partitions) {

        private static final KeyspaceOptions NONE = new KeyspaceOptions(null);

        static KeyspaceOptions of(byte[] body) {
            return Json.bindOptions(body, KeyspaceOptions.class, NONE,
                    field -> StrataException.invalid("invalid_partitions", "partitions must be an integer"));
        }

        int partitionsOr(int byDefault) {
            return partitions == null ? byDefault : partitions;
        }
    }

    private Route describeKeyspace(String space) {
        return respond(store.stats(space), Json::ok);
    }

    private Route deleteKeyspace(String space) {
        return respond(store.deleteKeyspace(space), done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
    }

    /**
     * A page of keys. The cursor is the last key of the page before, in base64url: opaque, and
     * valid across restarts and whatever was written since.
     */
    private Route listKeys(String space, String list) {
        if (!list.equals("keys")) {
            throw StrataException.invalid("invalid_list", "list must be 'keys', got '" + list + "'");
        }
        return parameterOptional("prefix", prefix -> parameterOptional("cursor", cursor -> parameterOptional("limit", limit ->
                parameterOptional("encoding", encoding -> {
                    boolean base64 = parseEncoding(encoding);
                    String from = prefix.map(p -> base64 ? decodeBase64(Base64.getDecoder(), p, "invalid_prefix",
                            "prefix must be base64 (encoding=base64)") : p).orElse("");
                    String after = cursor.map(c -> decodeBase64(Base64.getUrlDecoder(), c, "invalid_cursor",
                            "cursor must be a next_cursor of an earlier page")).orElse("");
                    if (cursor.isPresent() && after.isEmpty()) {
                        throw StrataException.invalid("invalid_cursor", "cursor must be a next_cursor of an earlier page, not empty");
                    }
                    int max = limit.map(KvRoutes::parseLimit).orElse(store.settings().maxListKeys());
                    return respond(store.listKeys(space, from, after, max), page -> Json.ok(keyPage(space, page, base64)));
                }))));
    }

    private static Map<String, Object> keyPage(String space, KvPartition.KeyPage page, boolean base64) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("keyspace", space);
        body.put("keys", base64
                ? page.keys().stream().map(k -> Base64.getEncoder().encodeToString(KeyBytes.toBytes(k))).toList()
                : page.keys().stream().map(KeyBytes::printable).toList());
        body.put("next_cursor", page.more() ? Base64.getUrlEncoder().withoutPadding()
                .encodeToString(KeyBytes.toBytes(page.keys().get(page.keys().size() - 1))) : null);
        return body;
    }

    /** The key (or prefix) whose bytes {@code encoded} holds; {@code code} and {@code problem} when it is not base64. */
    private static String decodeBase64(Base64.Decoder decoder, String encoded, String code, String problem) {
        try {
            return KeyBytes.fromBytes(decoder.decode(encoded));
        } catch (IllegalArgumentException e) {
            throw StrataException.invalid(code, problem + ", got '" + encoded + "'");
        }
    }

    static int parseLimit(String limit) {
        try {
            return Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            throw StrataException.invalid("invalid_limit", "limit must be a whole number, got '" + limit + "'");
        }
    }

    // ---- Keys ---------------------------------------------------------------------------------

    private Route getKey(String space, String key) {
        return parameterOptional("encoding", encoding -> respond(store.get(space, key), reply -> {
            if (reply instanceof KvPartition.Found f && f.type() != ValueType.STRING) {
                return Json.ok(typedBody(f, parseEncoding(encoding))).addHeader(etag(f.version()));
            }
            if (reply instanceof KvPartition.Found f) {
                HttpResponse response = HttpResponse.create()
                        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, f.value()))
                        .addHeader(etag(f.version()));
                return f.expiresAtMillis() == 0 ? response
                        : response.addHeader(RawHeader.create("X-Expires-At", Instant.ofEpochMilli(f.expiresAtMillis()).toString()));
            }
            return replyToResponse(reply);
        }));
    }

    /**
     * A hash, list, set or sorted set as JSON: {@code {"type": "hash", "fields": {name: value},
     * "field_expires_at": {name: time}}} (the last only for fields that expire), {@code {"type": "list",
     * "items": [...]}}, {@code {"type": "set", "members": [...]}}, {@code {"type": "zset", "members":
     * [{"member": m, "score": 1.5}, ...]}} (lowest score first); names, values and items as UTF-8
     * text, or base64 with {@code encoding=base64}.
     */
    private static Map<String, Object> typedBody(KvPartition.Found f, boolean base64) {
        java.util.function.Function<byte[], String> text = bytes -> base64 ? Base64.getEncoder().encodeToString(bytes)
                : KeyBytes.printable(KeyBytes.fromBytes(bytes));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", f.type().redisName());
        if (f.type() == ValueType.LIST) {
            body.put("items", ListValue.elements(f.value()).stream().map(text).toList());
        } else if (f.type() == ValueType.SET) {
            body.put("members", ListValue.elements(f.value()).stream().map(text).toList());
        } else if (f.type() == ValueType.ZSET) {
            List<Map<String, Object>> members = new ArrayList<>();
            for (ZSetValue.Member m : ZSetValue.members(f.value())) {
                Map<String, Object> member = new LinkedHashMap<>();
                member.put("member", text.apply(m.name()));
                // Infinite scores are not JSON numbers: given as Redis writes them.
                member.put("score", Double.isInfinite(m.score()) ? ZSetValue.format(m.score()) : m.score());
                members.add(member);
            }
            body.put("members", members);
        } else {
            Map<String, Object> fields = new LinkedHashMap<>();
            Map<String, Object> expiries = new LinkedHashMap<>();
            for (HashValue.Field field : HashValue.fields(f.value())) {
                fields.put(text.apply(field.name()), text.apply(field.value()));
                if (field.expiresAtMillis() != 0) {
                    expiries.put(text.apply(field.name()), Instant.ofEpochMilli(field.expiresAtMillis()).toString());
                }
            }
            body.put("fields", fields);
            if (!expiries.isEmpty()) {
                body.put("field_expires_at", expiries);
            }
        }
        if (f.expiresAtMillis() != 0) {
            body.put("expires_at", Instant.ofEpochMilli(f.expiresAtMillis()).toString());
        }
        body.put("version", f.version());
        return body;
    }

    private Route putKey(String space, String key) {
        return parameterOptional("ttl", ttl -> conditions(expected ->
                entity(Unmarshaller.entityToByteArray(), value ->
                        respond(store.put(space, key, value, ttlMillis(ttl), expected), this::replyToResponse))));
    }

    private Route deleteKey(String space, String key) {
        return conditions(expected -> respond(store.delete(space, key, expected), this::replyToResponse));
    }

    private Route incr(String space, String key) {
        return parameterOptional("by", by -> {
            long increment = parseIncrement(by);
            return respond(store.incr(space, key, increment), this::replyToResponse);
        });
    }

    private Route multiGet(String space) {
        return extractRequest(request -> entity(Unmarshaller.entityToByteArray(), body -> parameterOptional("encoding", encoding -> {
            boolean protobufIn = isProtobuf(request.entity().getContentType());
            boolean protobufOut = wantsProtobuf(request, protobufIn);
            List<String> keys = protobufIn ? parseProtobufKeys(body) : parseJsonKeys(body);
            boolean base64 = parseEncoding(encoding);
            return respond(store.multiGet(space, keys).thenApply(KvRoutes::stringsOnly), found -> protobufOut
                    ? HttpResponse.create().withEntity(HttpEntities.create(PROTOBUF, toProtobuf(found).toByteArray()))
                    : Json.ok(toJson(found, base64)));
        })));
    }

    // ---- Helpers ------------------------------------------------------------------------------

    private HttpResponse replyToResponse(KvPartition.Reply reply) {
        if (reply instanceof KvPartition.Written w) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("version", w.version());
            body.put("created", w.created());
            if (w.expiresAtMillis() != 0) {
                body.put("expires_at", Instant.ofEpochMilli(w.expiresAtMillis()).toString());
            }
            return Json.response(w.created() ? StatusCodes.CREATED : StatusCodes.OK, body).addHeader(etag(w.version()));
        } else if (reply instanceof KvPartition.Deleted) {
            return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        } else if (reply instanceof KvPartition.Counter c) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("value", c.value());
            body.put("version", c.version());
            return Json.ok(body).addHeader(etag(c.version()));
        } else if (reply instanceof KvPartition.NotFound n) {
            return Json.error(StatusCodes.NOT_FOUND, "key_not_found", "key '" + n.key() + "' does not exist or has expired");
        } else if (reply instanceof KvPartition.Rejected r) {
            return ErrorHandling.toResponse(r.toException());
        }
        throw new IllegalStateException("unexpected reply " + reply);
    }

    private static HttpHeader etag(long version) {
        return ETag.create(EntityTag.create(Long.toString(version), false));
    }

    /** Reads If-Match / If-None-Match into an expected version for the partition. */
    private Route conditions(Function<Long, Route> inner) {
        return optionalHeaderValueByName("If-Match", ifMatch ->
                optionalHeaderValueByName("If-None-Match", ifNoneMatch -> inner.apply(expectedVersion(ifMatch, ifNoneMatch))));
    }

    static long expectedVersion(Optional<String> ifMatch, Optional<String> ifNoneMatch) {
        if (ifMatch.isPresent() && ifNoneMatch.isPresent()) {
            throw StrataException.invalid("invalid_version", "send If-Match or If-None-Match, not both");
        }
        if (ifNoneMatch.isPresent()) {
            if (!ifNoneMatch.get().trim().equals("*")) {
                throw StrataException.invalid("invalid_version", "If-None-Match supports only '*' (create only if absent)");
            }
            return KvPartition.MUST_NOT_EXIST;
        }
        if (ifMatch.isEmpty()) {
            return KvPartition.ANY_VERSION;
        }
        String value = ifMatch.get().trim();
        if (value.equals("*")) {
            return KvPartition.MUST_EXIST;
        }
        var m = VERSION.matcher(value);
        try {
            if (m.matches()) {
                return Long.parseLong(m.group(1));
            }
        } catch (NumberFormatException beyondLong) {
            // Refused below, as any other malformed version.
        }
        throw StrataException.invalid("invalid_version",
                "If-Match must be '*' or a version from an ETag, such as \"42\"; got " + value);
    }

    static long ttlMillis(Optional<String> ttl) {
        if (ttl.isEmpty()) {
            return 0;
        }
        if (!TTL.matcher(ttl.get()).matches()) {
            throw StrataException.invalid("invalid_ttl", "ttl must be a positive whole number of seconds, got '" + ttl.get() + "'");
        }
        return Long.parseLong(ttl.get()) * 1000;
    }

    static long parseIncrement(Optional<String> by) {
        if (by.isEmpty()) {
            return 1;
        }
        try {
            return Long.parseLong(by.get());
        } catch (NumberFormatException e) {
            throw StrataException.invalid("invalid_increment", "by must be a 64-bit signed integer, got '" + by.get() + "'");
        }
    }

    private static boolean parseEncoding(Optional<String> encoding) {
        String e = encoding.orElse("utf8");
        if (e.equals("utf8")) {
            return false;
        }
        if (e.equals("base64")) {
            return true;
        }
        throw StrataException.invalid("invalid_encoding", "encoding must be utf8 or base64, got '" + e + "'");
    }

    private static List<String> parseJsonKeys(byte[] body) {
        JsonNode json = Json.parse(body);
        if (!json.isArray()) {
            throw StrataException.invalid("invalid_json", "the body must be a JSON array of keys");
        }
        List<String> keys = new ArrayList<>(json.size());
        for (JsonNode k : json) {
            if (!k.isTextual()) {
                throw StrataException.invalid("invalid_key", "every key must be a JSON string, got " + k);
            }
            keys.add(k.textValue());
        }
        return keys;
    }

    private static List<String> parseProtobufKeys(byte[] body) {
        try {
            return MultiGetRequest.parseFrom(body).getKeysList();
        } catch (InvalidProtocolBufferException e) {
            throw StrataException.invalid("invalid_protobuf", "the body is not a MultiGetRequest: " + e.getMessage());
        }
    }

    /** A multi-get reads strings, as Redis's MGET: a key of another type reads as absent. */
    private static Map<String, KvPartition.Found> stringsOnly(Map<String, KvPartition.Found> found) {
        Map<String, KvPartition.Found> strings = new LinkedHashMap<>();
        found.forEach((key, f) -> strings.put(key, f == null || f.type() != ValueType.STRING ? null : f));
        return strings;
    }

    private static Map<String, String> toJson(Map<String, KvPartition.Found> found, boolean base64) {
        Map<String, String> out = new LinkedHashMap<>();
        found.forEach((key, f) -> out.put(key, f == null ? null : base64 ? Base64.getEncoder().encodeToString(f.value()) : utf8(key, f.value())));
        return out;
    }

    private static String utf8(String key, byte[] value) {
        return Utf8.decode(value).orElseThrow(() -> new StrataException(StrataException.Kind.UNPROCESSABLE, "value_not_utf8",
                "the value of '" + key + "' is not UTF-8 text; ask with ?encoding=base64 or in Protobuf"));
    }

    private static MultiGetResponse toProtobuf(Map<String, KvPartition.Found> found) {
        MultiGetResponse.Builder b = MultiGetResponse.newBuilder();
        found.forEach((key, f) -> {
            KeyValue.Builder kv = KeyValue.newBuilder().setKey(key).setFound(f != null);
            if (f != null) {
                kv.setValue(ByteString.copyFrom(f.value())).setVersion(f.version()).setExpiresAtMs(f.expiresAtMillis());
            }
            b.addEntries(kv);
        });
        return b.build();
    }

    private Route failWith(StrataException e) {
        return complete(ErrorHandling.toResponse(e));
    }
}
