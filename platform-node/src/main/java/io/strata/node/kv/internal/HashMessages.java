package io.strata.node.kv.internal;

import com.google.protobuf.ByteString;
import io.strata.node.kv.HashChange;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.ListChange;
import io.strata.node.kv.SetChange;
import io.strata.node.kv.ValueChange;
import io.strata.node.kv.StringChange;
import io.strata.node.kv.ZSetChange;
import io.strata.node.kv.proto.Expiration;
import io.strata.node.kv.proto.HashExpireChange;
import io.strata.node.kv.proto.HashFieldsChange;
import io.strata.node.kv.proto.HashIncrByChange;
import io.strata.node.kv.proto.HashIncrByFloatChange;
import io.strata.node.kv.proto.HashSetChange;
import io.strata.node.kv.proto.ListOp;
import io.strata.node.kv.proto.ValueUpdatedReply;
import io.strata.node.kv.proto.UpdateValueCommand;

import java.io.NotSerializableException;
import java.util.List;

/**
 * The Protobuf form of {@link KvPartition.UpdateValue} (hash, list, set and sorted set changes) and
 * {@link KvPartition.ValueUpdated}, for {@link KvSerializer}.
 */
final class HashMessages {

    private HashMessages() {}

    static UpdateValueCommand command(KvPartition.UpdateValue m, String replyTo) {
        UpdateValueCommand.Builder b = UpdateValueCommand.newBuilder().setKey(ProtoKeys.of(m.key())).setReplyTo(replyTo);
        ValueChange change = m.change();
        if (change instanceof ListChange list) {
            b.setList(listOp(list));
        } else if (change instanceof SetChange set) {
            b.setSetChange(setOp(set));
        } else if (change instanceof ZSetChange zset) {
            b.setZsetChange(ZSetOps.of(zset));
        } else if (change instanceof HashChange.Set c) {
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

    static ValueChange change(UpdateValueCommand m) throws NotSerializableException {
        return switch (m.getChangeCase()) {
            case LIST -> listChange(m.getList());
            case SET_CHANGE -> setChange(m.getSetChange());
            case ZSET_CHANGE -> ZSetOps.change(m.getZsetChange());
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

    static ValueUpdatedReply reply(KvPartition.ValueUpdated m) {
        ValueUpdatedReply.Builder b = ValueUpdatedReply.newBuilder().setCount(m.count()).setVersion(m.version());
        if (m.value() != null) {
            b.setHasValue(true).setValue(ByteString.copyFrom(m.value()));
        }
        if (m.numbers() != null) {
            b.addAllPerField(m.numbers());
        }
        if (m.items() != null) {
            b.setHasItems(true).addAllItems(bytes(m.items()));
        }
        return b.build();
    }

    static KvPartition.ValueUpdated reply(ValueUpdatedReply m) {
        return new KvPartition.ValueUpdated(m.getCount(), m.getHasValue() ? m.getValue().toByteArray() : null,
                m.getPerFieldCount() == 0 ? null : List.copyOf(m.getPerFieldList()), m.getHasItems() ? arrays(m.getItemsList()) : null,
                m.getVersion());
    }

    private static ListOp listOp(ListChange change) {
        ListOp.Builder b = ListOp.newBuilder();
        if (change instanceof ListChange.Push c) {
            b.setOp("push").setFirst(c.left()).setSecond(c.onlyIfExists()).addAllItems(bytes(c.elements()));
        } else if (change instanceof ListChange.Pop c) {
            b.setOp("pop").setFirst(c.left()).addNumbers(c.count());
        } else if (change instanceof ListChange.SetIndex c) {
            b.setOp("set").addNumbers(c.index()).addItems(ByteString.copyFrom(c.element()));
        } else if (change instanceof ListChange.Remove c) {
            b.setOp("remove").addNumbers(c.count()).addItems(ByteString.copyFrom(c.element()));
        } else if (change instanceof ListChange.Trim c) {
            b.setOp("trim").addNumbers(c.start()).addNumbers(c.stop());
        } else if (change instanceof ListChange.Insert c) {
            b.setOp("insert").setFirst(c.before()).addItems(ByteString.copyFrom(c.pivot())).addItems(ByteString.copyFrom(c.element()));
        } else if (change instanceof ListChange.Rotate c) {
            b.setOp("rotate").setFirst(c.fromLeft()).setSecond(c.toLeft());
        }
        return b.build();
    }

    private static ListChange listChange(ListOp m) throws NotSerializableException {
        List<byte[]> items = arrays(m.getItemsList());
        return switch (m.getOp()) {
            case "push" -> new ListChange.Push(m.getFirst(), items, m.getSecond());
            case "pop" -> new ListChange.Pop(m.getFirst(), m.getNumbers(0));
            case "set" -> new ListChange.SetIndex(m.getNumbers(0), items.get(0));
            case "remove" -> new ListChange.Remove(m.getNumbers(0), items.get(0));
            case "trim" -> new ListChange.Trim(m.getNumbers(0), m.getNumbers(1));
            case "insert" -> new ListChange.Insert(m.getFirst(), items.get(0), items.get(1));
            case "rotate" -> new ListChange.Rotate(m.getFirst(), m.getSecond());
            default -> throw new NotSerializableException("unknown list change '" + m.getOp() + "'");
        };
    }

    private static ListOp setOp(SetChange change) {
        ListOp.Builder b = ListOp.newBuilder();
        if (change instanceof SetChange.Add c) {
            b.setOp("add").addAllItems(bytes(c.members()));
        } else if (change instanceof SetChange.Remove c) {
            b.setOp("remove").addAllItems(bytes(c.members()));
        } else if (change instanceof SetChange.Pop c) {
            b.setOp("pop").addNumbers(c.count());
        } else if (change instanceof SetChange.Replace c) {
            b.setOp("replace").addAllItems(bytes(c.members()));
        }
        return b.build();
    }

    private static SetChange setChange(ListOp m) throws NotSerializableException {
        List<byte[]> items = arrays(m.getItemsList());
        return switch (m.getOp()) {
            case "add" -> new SetChange.Add(items);
            case "remove" -> new SetChange.Remove(items);
            case "pop" -> new SetChange.Pop(m.getNumbers(0));
            case "replace" -> new SetChange.Replace(items);
            default -> throw new NotSerializableException("unknown set change '" + m.getOp() + "'");
        };
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
