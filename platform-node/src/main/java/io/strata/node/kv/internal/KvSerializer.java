package io.strata.node.kv.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.StringChange;
import io.strata.node.kv.ValueType;
import io.strata.node.kv.proto.AppendChange;
import io.strata.node.kv.proto.ExpireChange;
import io.strata.node.kv.proto.Expiration;
import io.strata.node.kv.proto.GetDelChange;
import io.strata.node.kv.proto.GetExChange;
import io.strata.node.kv.proto.IncrByFloatChange;
import io.strata.node.kv.proto.SetChange;
import io.strata.node.kv.proto.SetBitChange;
import io.strata.node.kv.proto.SetRangeChange;
import io.strata.node.kv.proto.UpdateCommand;
import io.strata.node.kv.proto.UpdateValueCommand;
import io.strata.node.kv.proto.NestedMessage;
import io.strata.node.kv.proto.MoveElementCommand;
import io.strata.node.kv.proto.CopyKeyCommand;
import io.strata.node.kv.proto.PutValueCommand;
import io.strata.node.kv.proto.TransactionAbortedReply;
import io.strata.node.kv.proto.TransactionCommand;
import io.strata.node.kv.proto.BatchCommand;
import io.strata.node.kv.proto.TransactionDoneReply;
import io.strata.node.kv.proto.WatchEntry;
import io.strata.node.kv.proto.ValueUpdatedReply;
import io.strata.node.kv.proto.UpdatedReply;
import io.strata.node.kv.proto.CounterReply;
import io.strata.node.kv.proto.DeleteCommand;
import io.strata.node.kv.proto.DeletedReply;
import io.strata.node.kv.proto.DropCommand;
import io.strata.node.kv.proto.DroppedReply;
import io.strata.node.kv.proto.FoundReply;
import io.strata.node.kv.proto.GetCommand;
import io.strata.node.kv.proto.IncrCommand;
import io.strata.node.kv.proto.KeyPageReply;
import io.strata.node.kv.proto.ListKeysCommand;
import io.strata.node.kv.proto.MultiGetCommand;
import io.strata.node.kv.proto.MultiGetReply;
import io.strata.node.kv.proto.NotFoundReply;
import io.strata.node.kv.proto.PutCommand;
import io.strata.node.kv.proto.RejectedReply;
import io.strata.node.kv.proto.StatsCommand;
import io.strata.node.kv.proto.StatsReply;
import io.strata.node.kv.proto.WakeCommand;
import io.strata.node.kv.proto.WrittenReply;
import io.strata.node.kv.proto.PutAllCommand;
import io.strata.node.kv.proto.PutAllEntry;
import io.strata.node.kv.proto.AllWrittenReply;
import io.strata.node.common.ProtobufSerializer;
import org.apache.pekko.actor.ExtendedActorSystem;

import java.io.NotSerializableException;
import java.util.List;

/**
 * Serializes the {@link KvPartition} protocol as the Protobuf messages of {@code kv.proto}, so
 * partition commands and replies can cross nodes without Java serialization. Bound to
 * {@code KvPartition$Command} and {@code KvPartition$Reply} in reference.conf.
 */
public final class KvSerializer extends ProtobufSerializer {

    private static final String PUT = "P";
    private static final String PUT_ALL = "A";
    private static final String ALL_WRITTEN = "a";
    private static final String GET = "G";
    private static final String DELETE = "D";
    private static final String INCR = "I";
    private static final String UPDATE = "U";
    private static final String MULTI_GET = "M";
    private static final String LIST_KEYS = "L";
    private static final String STATS = "S";
    private static final String WAKE = "W";
    private static final String DROP = "X";
    private static final String FOUND = "f";
    private static final String NOT_FOUND = "n";
    private static final String WRITTEN = "w";
    private static final String DELETED = "d";
    private static final String COUNTER = "c";
    private static final String UPDATED = "u";
    private static final String UPDATE_VALUE = "H";
    private static final String VALUE_UPDATED = "h";
    private static final String TRANSACTION = "T";
    private static final String BATCH = "B";
    private static final String MOVE_ELEMENT = "E";
    private static final String COPY_KEY = "C";
    private static final String PUT_VALUE = "Q";
    private static final String TRANSACTION_DONE = "t";
    private static final String TRANSACTION_ABORTED = "b";
    private static final String MULTI_GET_RESULT = "m";
    private static final String KEY_PAGE = "l";
    private static final String DROPPED = "x";
    private static final String PARTITION_STATS = "s";
    private static final String REJECTED = "r";

    public KvSerializer(ExtendedActorSystem system) {
        super(system);
    }

    @Override
    public int identifier() {
        return 7_301;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof KvPartition.Put) return PUT;
        if (o instanceof KvPartition.PutAll) return PUT_ALL;
        if (o instanceof KvPartition.AllWritten) return ALL_WRITTEN;
        if (o instanceof KvPartition.Get) return GET;
        if (o instanceof KvPartition.Delete) return DELETE;
        if (o instanceof KvPartition.Incr) return INCR;
        if (o instanceof KvPartition.Update) return UPDATE;
        if (o instanceof KvPartition.UpdateValue) return UPDATE_VALUE;
        if (o instanceof KvPartition.ValueUpdated) return VALUE_UPDATED;
        if (o instanceof KvPartition.Transaction) return TRANSACTION;
        if (o instanceof KvPartition.Batch) return BATCH;
        if (o instanceof KvPartition.MoveElement) return MOVE_ELEMENT;
        if (o instanceof KvPartition.CopyKey) return COPY_KEY;
        if (o instanceof KvPartition.PutValue) return PUT_VALUE;
        if (o instanceof KvPartition.TransactionDone) return TRANSACTION_DONE;
        if (o instanceof KvPartition.TransactionAborted) return TRANSACTION_ABORTED;
        if (o instanceof KvPartition.MultiGet) return MULTI_GET;
        if (o instanceof KvPartition.ListKeys) return LIST_KEYS;
        if (o instanceof KvPartition.Stats) return STATS;
        if (o instanceof KvPartition.Wake) return WAKE;
        if (o instanceof KvPartition.Drop) return DROP;
        if (o instanceof KvPartition.Found) return FOUND;
        if (o instanceof KvPartition.NotFound) return NOT_FOUND;
        if (o instanceof KvPartition.Written) return WRITTEN;
        if (o instanceof KvPartition.Deleted) return DELETED;
        if (o instanceof KvPartition.Counter) return COUNTER;
        if (o instanceof KvPartition.Updated) return UPDATED;
        if (o instanceof KvPartition.MultiGetResult) return MULTI_GET_RESULT;
        if (o instanceof KvPartition.KeyPage) return KEY_PAGE;
        if (o instanceof KvPartition.Dropped) return DROPPED;
        if (o instanceof KvPartition.PartitionStats) return PARTITION_STATS;
        if (o instanceof KvPartition.Rejected) return REJECTED;
        throw cannotSerialize(o);
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof KvPartition.Put m) {
            return PutCommand.newBuilder().setKey(ProtoKeys.of(m.key())).setValue(ByteString.copyFrom(m.value()))
                    .setTtlMs(m.ttlMillis()).setExpectedVersion(m.expectedVersion()).setReplyTo(ref(m.replyTo()))
                    .build().toByteArray();
        } else if (o instanceof KvPartition.PutAll m) {
            PutAllCommand.Builder command = PutAllCommand.newBuilder().setReplyTo(ref(m.replyTo()))
                    .setOnlyIfAllAbsent(m.onlyIfAllAbsent());
            for (KvPartition.Write w : m.writes()) {
                command.addWrites(PutAllEntry.newBuilder().setKey(ProtoKeys.of(w.key())).setValue(ByteString.copyFrom(w.value()))
                        .setTtlMs(w.ttlMillis()));
            }
            return command.build().toByteArray();
        } else if (o instanceof KvPartition.AllWritten m) {
            return AllWrittenReply.newBuilder().setCount(m.count()).setLastVersion(m.lastVersion()).build().toByteArray();
        } else if (o instanceof KvPartition.Get m) {
            return GetCommand.newBuilder().setKey(ProtoKeys.of(m.key())).setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.Delete m) {
            return DeleteCommand.newBuilder().setKey(ProtoKeys.of(m.key())).setExpectedVersion(m.expectedVersion())
                    .setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.Incr m) {
            return IncrCommand.newBuilder().setKey(ProtoKeys.of(m.key())).setBy(m.by()).setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.Update m) {
            return update(m).toByteArray();
        } else if (o instanceof KvPartition.UpdateValue m) {
            return HashMessages.command(m, ref(m.replyTo())).toByteArray();
        } else if (o instanceof KvPartition.ValueUpdated m) {
            return HashMessages.reply(m).toByteArray();
        } else if (o instanceof KvPartition.MoveElement m) {
            return MoveElementCommand.newBuilder().setSource(ProtoKeys.of(m.source())).setDestination(ProtoKeys.of(m.destination()))
                    .setFromLeft(m.fromLeft()).setToLeft(m.toLeft()).setType(m.type().code()).setMember(ByteString.copyFrom(m.member()))
                    .setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.CopyKey m) {
            return CopyKeyCommand.newBuilder().setSource(ProtoKeys.of(m.source())).setDestination(ProtoKeys.of(m.destination()))
                    .setDeleteSource(m.deleteSource()).setReplace(m.replace()).setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.PutValue m) {
            return PutValueCommand.newBuilder().setKey(ProtoKeys.of(m.key())).setType(m.type().code())
                    .setValue(ByteString.copyFrom(m.value())).setExpiresAtMs(m.expiresAtMillis()).setReplace(m.replace())
                    .setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.Transaction m) {
            TransactionCommand.Builder b = TransactionCommand.newBuilder().setReplyTo(ref(m.replyTo()));
            m.steps().forEach(step -> b.addSteps(nested(step)));
            m.watches().forEach(w -> b.addWatches(WatchEntry.newBuilder().setKey(ProtoKeys.of(w.key())).setVersion(w.version())));
            return b.build().toByteArray();
        } else if (o instanceof KvPartition.Batch m) {
            BatchCommand.Builder b = BatchCommand.newBuilder().setReplyTo(ref(m.replyTo()));
            m.steps().forEach(step -> b.addSteps(nested(step)));
            return b.build().toByteArray();
        } else if (o instanceof KvPartition.TransactionDone m) {
            TransactionDoneReply.Builder b = TransactionDoneReply.newBuilder();
            m.replies().forEach(reply -> b.addReplies(nested(reply)));
            return b.build().toByteArray();
        } else if (o instanceof KvPartition.TransactionAborted) {
            return TransactionAbortedReply.getDefaultInstance().toByteArray();
        } else if (o instanceof KvPartition.MultiGet m) {
            return MultiGetCommand.newBuilder().addAllKeys(ProtoKeys.of(m.keys())).setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.ListKeys m) {
            return ListKeysCommand.newBuilder().setPrefix(ProtoKeys.of(m.prefix())).setAfter(ProtoKeys.of(m.after())).setLimit(m.limit())
                    .setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.Stats m) {
            return StatsCommand.newBuilder().setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.Drop m) {
            return DropCommand.newBuilder().setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof KvPartition.Wake) {
            return WakeCommand.getDefaultInstance().toByteArray();
        } else if (o instanceof KvPartition.Found m) {
            return found(m).toByteArray();
        } else if (o instanceof KvPartition.NotFound m) {
            return NotFoundReply.newBuilder().setKey(ProtoKeys.of(m.key())).build().toByteArray();
        } else if (o instanceof KvPartition.Written m) {
            return WrittenReply.newBuilder().setVersion(m.version()).setCreated(m.created())
                    .setExpiresAtMs(m.expiresAtMillis()).build().toByteArray();
        } else if (o instanceof KvPartition.Deleted m) {
            return DeletedReply.newBuilder().setVersion(m.version()).build().toByteArray();
        } else if (o instanceof KvPartition.Counter m) {
            return CounterReply.newBuilder().setValue(m.value()).setVersion(m.version()).build().toByteArray();
        } else if (o instanceof KvPartition.Updated m) {
            UpdatedReply.Builder b = UpdatedReply.newBuilder().setVersion(m.version()).setExpiresAtMs(m.expiresAtMillis())
                    .setChanged(m.changed());
            if (m.previous() != null) {
                b.setHasPrevious(true).setPrevious(ByteString.copyFrom(m.previous()));
            }
            if (m.value() != null) {
                b.setHasValue(true).setValue(ByteString.copyFrom(m.value()));
            }
            return b.build().toByteArray();
        } else if (o instanceof KvPartition.MultiGetResult m) {
            MultiGetReply.Builder b = MultiGetReply.newBuilder();
            m.found().forEach(f -> b.addFound(found(f)));
            return b.build().toByteArray();
        } else if (o instanceof KvPartition.KeyPage m) {
            return KeyPageReply.newBuilder().addAllKeys(ProtoKeys.of(m.keys())).setMore(m.more()).build().toByteArray();
        } else if (o instanceof KvPartition.Dropped) {
            return DroppedReply.getDefaultInstance().toByteArray();
        } else if (o instanceof KvPartition.PartitionStats m) {
            return StatsReply.newBuilder().setKeys(m.keys()).setValueBytes(m.valueBytes()).setSeq(m.seq()).build().toByteArray();
        } else if (o instanceof KvPartition.Rejected m) {
            return RejectedReply.newBuilder().setCode(m.code()).setMessage(m.message()).build().toByteArray();
        }
        throw cannotSerialize(o);
    }

    @Override
    protected Object decode(byte[] bytes, String manifest) throws InvalidProtocolBufferException, NotSerializableException {
        {
            switch (manifest) {
                case PUT: {
                    PutCommand m = PutCommand.parseFrom(bytes);
                    return new KvPartition.Put(ProtoKeys.key(m.getKey()), m.getValue().toByteArray(), m.getTtlMs(),
                            m.getExpectedVersion(), resolve(m.getReplyTo()));
                }
                case PUT_ALL: {
                    PutAllCommand m = PutAllCommand.parseFrom(bytes);
                    List<KvPartition.Write> writes = new java.util.ArrayList<>(m.getWritesCount());
                    for (PutAllEntry w : m.getWritesList()) {
                        writes.add(new KvPartition.Write(ProtoKeys.key(w.getKey()), w.getValue().toByteArray(), w.getTtlMs()));
                    }
                    return new KvPartition.PutAll(writes, m.getOnlyIfAllAbsent(), resolve(m.getReplyTo()));
                }
                case ALL_WRITTEN: {
                    AllWrittenReply m = AllWrittenReply.parseFrom(bytes);
                    return new KvPartition.AllWritten(m.getCount(), m.getLastVersion());
                }
                case GET: {
                    GetCommand m = GetCommand.parseFrom(bytes);
                    return new KvPartition.Get(ProtoKeys.key(m.getKey()), resolve(m.getReplyTo()));
                }
                case DELETE: {
                    DeleteCommand m = DeleteCommand.parseFrom(bytes);
                    return new KvPartition.Delete(ProtoKeys.key(m.getKey()), m.getExpectedVersion(), resolve(m.getReplyTo()));
                }
                case INCR: {
                    IncrCommand m = IncrCommand.parseFrom(bytes);
                    return new KvPartition.Incr(ProtoKeys.key(m.getKey()), m.getBy(), resolve(m.getReplyTo()));
                }
                case UPDATE: {
                    UpdateCommand m = UpdateCommand.parseFrom(bytes);
                    return new KvPartition.Update(ProtoKeys.key(m.getKey()), change(m), resolve(m.getReplyTo()));
                }
                case UPDATE_VALUE: {
                    UpdateValueCommand m = UpdateValueCommand.parseFrom(bytes);
                    return new KvPartition.UpdateValue(ProtoKeys.key(m.getKey()), HashMessages.change(m), resolve(m.getReplyTo()));
                }
                case VALUE_UPDATED:
                    return HashMessages.reply(ValueUpdatedReply.parseFrom(bytes));
                case MOVE_ELEMENT: {
                    MoveElementCommand m = MoveElementCommand.parseFrom(bytes);
                    return new KvPartition.MoveElement(ProtoKeys.key(m.getSource()), ProtoKeys.key(m.getDestination()),
                            ValueType.ofCode(m.getType()), m.getFromLeft(), m.getToLeft(), m.getMember().toByteArray(),
                            resolve(m.getReplyTo()));
                }
                case COPY_KEY: {
                    CopyKeyCommand m = CopyKeyCommand.parseFrom(bytes);
                    return new KvPartition.CopyKey(ProtoKeys.key(m.getSource()), ProtoKeys.key(m.getDestination()), m.getDeleteSource(),
                            m.getReplace(), resolve(m.getReplyTo()));
                }
                case PUT_VALUE: {
                    PutValueCommand m = PutValueCommand.parseFrom(bytes);
                    return new KvPartition.PutValue(ProtoKeys.key(m.getKey()), ValueType.ofCode(m.getType()), m.getValue().toByteArray(),
                            m.getExpiresAtMs(), m.getReplace(), resolve(m.getReplyTo()));
                }
                case TRANSACTION: {
                    TransactionCommand m = TransactionCommand.parseFrom(bytes);
                    java.util.List<KvPartition.Watch> watches = m.getWatchesList().stream()
                            .map(w -> new KvPartition.Watch(ProtoKeys.key(w.getKey()), w.getVersion())).toList();
                    return new KvPartition.Transaction(steps(m.getStepsList()), watches, resolve(m.getReplyTo()));
                }
                case BATCH: {
                    BatchCommand m = BatchCommand.parseFrom(bytes);
                    return new KvPartition.Batch(steps(m.getStepsList()), resolve(m.getReplyTo()));
                }
                case TRANSACTION_DONE: {
                    java.util.List<KvPartition.Reply> replies = new java.util.ArrayList<>();
                    for (NestedMessage reply : TransactionDoneReply.parseFrom(bytes).getRepliesList()) {
                        replies.add((KvPartition.Reply) decode(reply.getPayload().toByteArray(), reply.getManifest()));
                    }
                    return new KvPartition.TransactionDone(replies);
                }
                case TRANSACTION_ABORTED:
                    return new KvPartition.TransactionAborted();
                case UPDATED: {
                    UpdatedReply m = UpdatedReply.parseFrom(bytes);
                    return new KvPartition.Updated(m.getHasPrevious() ? m.getPrevious().toByteArray() : null,
                            m.getHasValue() ? m.getValue().toByteArray() : null, m.getVersion(), m.getExpiresAtMs(), m.getChanged());
                }
                case MULTI_GET: {
                    MultiGetCommand m = MultiGetCommand.parseFrom(bytes);
                    return new KvPartition.MultiGet(ProtoKeys.keys(m.getKeysList()), resolve(m.getReplyTo()));
                }
                case LIST_KEYS: {
                    ListKeysCommand m = ListKeysCommand.parseFrom(bytes);
                    return new KvPartition.ListKeys(ProtoKeys.key(m.getPrefix()), ProtoKeys.key(m.getAfter()), m.getLimit(),
                            resolve(m.getReplyTo()));
                }
                case STATS:
                    return new KvPartition.Stats(resolve(StatsCommand.parseFrom(bytes).getReplyTo()));
                case DROP:
                    return new KvPartition.Drop(resolve(DropCommand.parseFrom(bytes).getReplyTo()));
                case WAKE:
                    return KvPartition.Wake.INSTANCE;
                case FOUND:
                    return found(FoundReply.parseFrom(bytes));
                case NOT_FOUND:
                    return new KvPartition.NotFound(ProtoKeys.key(NotFoundReply.parseFrom(bytes).getKey()));
                case WRITTEN: {
                    WrittenReply m = WrittenReply.parseFrom(bytes);
                    return new KvPartition.Written(m.getVersion(), m.getCreated(), m.getExpiresAtMs());
                }
                case DELETED:
                    return new KvPartition.Deleted(DeletedReply.parseFrom(bytes).getVersion());
                case COUNTER: {
                    CounterReply m = CounterReply.parseFrom(bytes);
                    return new KvPartition.Counter(m.getValue(), m.getVersion());
                }
                case MULTI_GET_RESULT:
                    return new KvPartition.MultiGetResult(
                            MultiGetReply.parseFrom(bytes).getFoundList().stream().map(KvSerializer::found).toList());
                case KEY_PAGE: {
                    KeyPageReply m = KeyPageReply.parseFrom(bytes);
                    return new KvPartition.KeyPage(ProtoKeys.keys(m.getKeysList()), m.getMore());
                }
                case DROPPED:
                    return new KvPartition.Dropped();
                case PARTITION_STATS: {
                    StatsReply m = StatsReply.parseFrom(bytes);
                    return new KvPartition.PartitionStats(m.getKeys(), m.getValueBytes(), m.getSeq());
                }
                case REJECTED: {
                    RejectedReply m = RejectedReply.parseFrom(bytes);
                    return new KvPartition.Rejected(m.getCode(), m.getMessage());
                }
                default:
                    throw new NotSerializableException("unknown KV manifest '" + manifest + "'");
            }
        }
    }

    /** The steps of a transaction or a batch, each decoded as the message it is. */
    private java.util.List<KvPartition.Command> steps(java.util.List<NestedMessage> nested)
            throws InvalidProtocolBufferException, NotSerializableException {
        java.util.List<KvPartition.Command> steps = new java.util.ArrayList<>(nested.size());
        for (NestedMessage step : nested) {
            steps.add((KvPartition.Command) decode(step.getPayload().toByteArray(), step.getManifest()));
        }
        return steps;
    }

    private NestedMessage nested(Object message) {
        return NestedMessage.newBuilder().setManifest(manifest(message)).setPayload(ByteString.copyFrom(toBinary(message))).build();
    }

    private UpdateCommand update(KvPartition.Update m) {
        UpdateCommand.Builder b = UpdateCommand.newBuilder().setKey(ProtoKeys.of(m.key())).setReplyTo(ref(m.replyTo()));
        StringChange change = m.change();
        if (change instanceof StringChange.Append c) {
            b.setAppend(AppendChange.newBuilder().setSuffix(ByteString.copyFrom(c.suffix())));
        } else if (change instanceof StringChange.SetRange c) {
            b.setSetRange(SetRangeChange.newBuilder().setOffset(c.offset()).setBytes(ByteString.copyFrom(c.bytes())));
        } else if (change instanceof StringChange.SetBit c) {
            b.setSetBit(SetBitChange.newBuilder().setOffset(c.offset()).setBit(c.bit()));
        } else if (change instanceof StringChange.IncrByFloat c) {
            b.setIncrByFloat(IncrByFloatChange.newBuilder().setIncrement(c.increment()));
        } else if (change instanceof StringChange.Set c) {
            b.setSet(SetChange.newBuilder().setValue(ByteString.copyFrom(c.value())).setExpiration(expiration(c.expiration()))
                    .setCondition(c.condition().name()).setGet(c.get()));
        } else if (change instanceof StringChange.GetDel) {
            b.setGetDel(GetDelChange.getDefaultInstance());
        } else if (change instanceof StringChange.GetEx c) {
            b.setGetEx(GetExChange.newBuilder().setExpiration(expiration(c.expiration())));
        } else if (change instanceof StringChange.Expire c) {
            b.setExpire(ExpireChange.newBuilder().setExpiration(expiration(c.expiration())).setCondition(c.condition().name()));
        }
        return b.build();
    }

    private static StringChange change(UpdateCommand m) throws NotSerializableException {
        return switch (m.getChangeCase()) {
            case APPEND -> new StringChange.Append(m.getAppend().getSuffix().toByteArray());
            case SET_RANGE -> new StringChange.SetRange(m.getSetRange().getOffset(), m.getSetRange().getBytes().toByteArray());
            case SET_BIT -> new StringChange.SetBit(m.getSetBit().getOffset(), m.getSetBit().getBit());
            case INCR_BY_FLOAT -> new StringChange.IncrByFloat(m.getIncrByFloat().getIncrement());
            case SET -> new StringChange.Set(m.getSet().getValue().toByteArray(), expiration(m.getSet().getExpiration()),
                    StringChange.Condition.valueOf(m.getSet().getCondition()), m.getSet().getGet());
            case GET_DEL -> new StringChange.GetDel();
            case GET_EX -> new StringChange.GetEx(expiration(m.getGetEx().getExpiration()));
            case EXPIRE -> new StringChange.Expire(expiration(m.getExpire().getExpiration()),
                    StringChange.ExpiryCondition.valueOf(m.getExpire().getCondition()));
            case CHANGE_NOT_SET -> throw new NotSerializableException("an update without a change");
        };
    }

    private static Expiration expiration(StringChange.Expiration e) {
        return Expiration.newBuilder().setKind(e.kind().name()).setMillis(e.millis()).build();
    }

    private static StringChange.Expiration expiration(Expiration e) {
        return new StringChange.Expiration(StringChange.Expiration.Kind.valueOf(e.getKind()), e.getMillis());
    }

    private static FoundReply found(KvPartition.Found f) {
        return FoundReply.newBuilder().setKey(ProtoKeys.of(f.key())).setValue(ByteString.copyFrom(f.value()))
                .setVersion(f.version()).setExpiresAtMs(f.expiresAtMillis()).setType(f.type().code()).build();
    }

    private static KvPartition.Found found(FoundReply f) {
        return new KvPartition.Found(ProtoKeys.key(f.getKey()), f.getValue().toByteArray(), f.getVersion(), f.getExpiresAtMs(),
                ValueType.ofCode(f.getType()));
    }


}
