package io.strata.node.bus.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.bus.TopicPartition;
import io.strata.node.bus.proto.AppendCommand;
import org.apache.kafka.common.record.internal.MemoryRecords;
import java.nio.ByteBuffer;
import io.strata.node.bus.proto.AppendedReply;
import io.strata.node.bus.proto.BusRejectedReply;
import io.strata.node.bus.proto.DeleteRecordsCommand;
import io.strata.node.bus.proto.DropCommand;
import io.strata.node.bus.proto.DroppedReply;
import io.strata.node.bus.proto.InfoCommand;
import io.strata.node.bus.proto.InfoReply;
import io.strata.node.bus.proto.ReadCommand;
import io.strata.node.bus.proto.ReadResponse;
import io.strata.node.common.ProtobufSerializer;
import org.apache.pekko.actor.ExtendedActorSystem;

import java.io.NotSerializableException;
import java.util.List;

/**
 * Serializes the {@link TopicPartition} protocol as the Protobuf messages of {@code bus.proto}.
 * Bound to {@code TopicPartition$Command} and {@code TopicPartition$Reply} in reference.conf.
 */
public final class BusSerializer extends ProtobufSerializer {

    private static final String APPEND = "A";
    private static final String READ = "R";
    private static final String INFO = "I";
    private static final String DROP = "D";
    private static final String DELETE_RECORDS = "E";
    private static final String APPENDED = "a";
    private static final String RECORDS = "r";
    private static final String PARTITION_INFO = "i";
    private static final String DROPPED = "d";
    private static final String REJECTED = "x";

    public BusSerializer(ExtendedActorSystem system) {
        super(system);
    }

    @Override
    public int identifier() {
        return 7_302;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof TopicPartition.Append) return APPEND;
        if (o instanceof TopicPartition.Read) return READ;
        if (o instanceof TopicPartition.Info) return INFO;
        if (o instanceof TopicPartition.Drop) return DROP;
        if (o instanceof TopicPartition.DeleteRecords) return DELETE_RECORDS;
        if (o instanceof TopicPartition.Appended) return APPENDED;
        if (o instanceof TopicPartition.Records) return RECORDS;
        if (o instanceof TopicPartition.PartitionInfo) return PARTITION_INFO;
        if (o instanceof TopicPartition.Dropped) return DROPPED;
        if (o instanceof TopicPartition.Rejected) return REJECTED;
        throw cannotSerialize(o);
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof TopicPartition.Append m) {
            return AppendCommand.newBuilder().setBatches(com.google.protobuf.UnsafeByteOperations.unsafeWrap(m.batches().buffer()))
                    .setCount(m.count()).setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TopicPartition.Read m) {
            return ReadCommand.newBuilder().setOffset(m.offset()).setMaxRecords(m.maxRecords()).setMaxBytes(m.maxBytes())
                    .setMaxWaitMs(m.maxWaitMs())
                    .setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TopicPartition.Info m) {
            return InfoCommand.newBuilder().setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TopicPartition.Drop m) {
            return DropCommand.newBuilder().setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TopicPartition.DeleteRecords m) {
            return DeleteRecordsCommand.newBuilder().setBefore(m.before()).setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TopicPartition.Appended m) {
            return AppendedReply.newBuilder().setFirstOffset(m.firstOffset()).setCount(m.count()).build().toByteArray();
        } else if (o instanceof TopicPartition.Records m) {
            return ReadResponse.newBuilder().addAllRecords(m.records()).setNextOffset(m.nextOffset())
                    .setLogStartOffset(m.logStartOffset()).setLogEndOffset(m.logEndOffset()).build().toByteArray();
        } else if (o instanceof TopicPartition.PartitionInfo m) {
            return InfoReply.newBuilder().setLogStartOffset(m.logStartOffset()).setLogEndOffset(m.logEndOffset())
                    .setBytes(m.bytes()).setFiles(m.files()).build().toByteArray();
        } else if (o instanceof TopicPartition.Dropped) {
            return DroppedReply.getDefaultInstance().toByteArray();
        } else if (o instanceof TopicPartition.Rejected m) {
            return BusRejectedReply.newBuilder().setCode(m.code()).setMessage(m.message())
                    .setEarliest(m.earliest()).setLatest(m.latest()).build().toByteArray();
        }
        throw cannotSerialize(o);
    }

    @Override
    protected Object decode(byte[] bytes, String manifest) throws InvalidProtocolBufferException, NotSerializableException {
        {
            switch (manifest) {
                case APPEND: {
                    AppendCommand m = AppendCommand.parseFrom(bytes);
                    return new TopicPartition.Append(MemoryRecords.readableRecords(ByteBuffer.wrap(m.getBatches().toByteArray())),
                            m.getCount(), resolve(m.getReplyTo()));
                }
                case READ: {
                    ReadCommand m = ReadCommand.parseFrom(bytes);
                    return new TopicPartition.Read(m.getOffset(), m.getMaxRecords(), m.getMaxBytes(), m.getMaxWaitMs(), resolve(m.getReplyTo()));
                }
                case INFO:
                    return new TopicPartition.Info(resolve(InfoCommand.parseFrom(bytes).getReplyTo()));
                case DROP:
                    return new TopicPartition.Drop(resolve(DropCommand.parseFrom(bytes).getReplyTo()));
                case DELETE_RECORDS: {
                    DeleteRecordsCommand m = DeleteRecordsCommand.parseFrom(bytes);
                    return new TopicPartition.DeleteRecords(m.getBefore(), resolve(m.getReplyTo()));
                }
                case APPENDED: {
                    AppendedReply m = AppendedReply.parseFrom(bytes);
                    return new TopicPartition.Appended(m.getFirstOffset(), m.getCount());
                }
                case RECORDS: {
                    ReadResponse m = ReadResponse.parseFrom(bytes);
                    return new TopicPartition.Records(List.copyOf(m.getRecordsList()), m.getNextOffset(),
                            m.getLogStartOffset(), m.getLogEndOffset());
                }
                case PARTITION_INFO: {
                    InfoReply m = InfoReply.parseFrom(bytes);
                    return new TopicPartition.PartitionInfo(m.getLogStartOffset(), m.getLogEndOffset(), m.getBytes(), m.getFiles());
                }
                case DROPPED:
                    return new TopicPartition.Dropped();
                case REJECTED: {
                    BusRejectedReply m = BusRejectedReply.parseFrom(bytes);
                    return new TopicPartition.Rejected(m.getCode(), m.getMessage(), m.getEarliest(), m.getLatest());
                }
                default:
                    throw new NotSerializableException("unknown bus manifest '" + manifest + "'");
            }
        }
    }


}
