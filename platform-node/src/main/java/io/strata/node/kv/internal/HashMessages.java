package io.strata.node.kv.internal;

import com.google.protobuf.ByteString;
import io.strata.node.kv.HashChange;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.StringChange;
import io.strata.node.kv.proto.Expiration;
import io.strata.node.kv.proto.HashExpireChange;
import io.strata.node.kv.proto.HashFieldsChange;
import io.strata.node.kv.proto.HashIncrByChange;
import io.strata.node.kv.proto.HashIncrByFloatChange;
import io.strata.node.kv.proto.HashSetChange;
import io.strata.node.kv.proto.HashUpdatedReply;
import io.strata.node.kv.proto.UpdateHashCommand;

import java.io.NotSerializableException;
import java.util.List;

/** The Protobuf form of {@link KvPartition.UpdateHash} and {@link KvPartition.HashUpdated}, for {@link KvSerializer}. */
final class HashMessages {

    private HashMessages() {}

    static UpdateHashCommand command(KvPartition.UpdateHash m, String replyTo) {
        UpdateHashCommand.Builder b = UpdateHashCommand.newBuilder().setKey(ProtoKeys.of(m.key())).setReplyTo(replyTo);
        HashChange change = m.change();
        if (change instanceof HashChange.Set c) {
            b.setSet(HashSetChange.newBuilder().addAllFieldsAndValues(bytes(c.fieldsAndValues())).setOnlyIfAbsent(c.onlyIfAbsent()));
        } else if (change instanceof HashChange.Delete c) {
            b.setDelete(names(c.names()));
        } else if (change instanceof HashChange.IncrBy c) {
            b.setIncrBy(HashIncrByChange.newBuilder().setName(ByteString.copyFrom(c.name())).setBy(c.by()));
        } else if (change instanceof HashChange.IncrByFloat c) {
            b.setIncrByFloat(HashIncrByFloatChange.newBuilder().setName(ByteString.copyFrom(c.name())).setIncrement(c.increment()));
        } else if (change instanceof HashChange.Expire c) {
            b.setExpire(HashExpireChange.newBuilder().addAllNames(bytes(c.names()))
                    .setExpiration(Expiration.newBuilder().setKind(c.expiration().kind().name()).setMillis(c.expiration().millis()))
                    .setCondition(c.condition().name()));
        } else if (change instanceof HashChange.Persist c) {
            b.setPersist(names(c.names()));
        }
        return b.build();
    }

    static HashChange change(UpdateHashCommand m) throws NotSerializableException {
        return switch (m.getChangeCase()) {
            case SET -> new HashChange.Set(arrays(m.getSet().getFieldsAndValuesList()), m.getSet().getOnlyIfAbsent());
            case DELETE -> new HashChange.Delete(arrays(m.getDelete().getNamesList()));
            case INCR_BY -> new HashChange.IncrBy(m.getIncrBy().getName().toByteArray(), m.getIncrBy().getBy());
            case INCR_BY_FLOAT -> new HashChange.IncrByFloat(m.getIncrByFloat().getName().toByteArray(), m.getIncrByFloat().getIncrement());
            case EXPIRE -> new HashChange.Expire(arrays(m.getExpire().getNamesList()),
                    new StringChange.Expiration(StringChange.Expiration.Kind.valueOf(m.getExpire().getExpiration().getKind()),
                            m.getExpire().getExpiration().getMillis()),
                    StringChange.ExpiryCondition.valueOf(m.getExpire().getCondition()));
            case PERSIST -> new HashChange.Persist(arrays(m.getPersist().getNamesList()));
            case CHANGE_NOT_SET -> throw new NotSerializableException("a hash update without a change");
        };
    }

    static HashUpdatedReply reply(KvPartition.HashUpdated m) {
        HashUpdatedReply.Builder b = HashUpdatedReply.newBuilder().setCount(m.count()).setVersion(m.version());
        if (m.value() != null) {
            b.setHasValue(true).setValue(ByteString.copyFrom(m.value()));
        }
        if (m.perField() != null) {
            b.addAllPerField(m.perField());
        }
        return b.build();
    }

    static KvPartition.HashUpdated reply(HashUpdatedReply m) {
        return new KvPartition.HashUpdated(m.getCount(), m.getHasValue() ? m.getValue().toByteArray() : null,
                m.getPerFieldCount() == 0 ? null : List.copyOf(m.getPerFieldList()), m.getVersion());
    }

    private static HashFieldsChange names(List<byte[]> names) {
        return HashFieldsChange.newBuilder().addAllNames(bytes(names)).build();
    }

    private static List<ByteString> bytes(List<byte[]> arrays) {
        return arrays.stream().map(ByteString::copyFrom).toList();
    }

    private static List<byte[]> arrays(List<ByteString> bytes) {
        return bytes.stream().map(ByteString::toByteArray).toList();
    }
}
