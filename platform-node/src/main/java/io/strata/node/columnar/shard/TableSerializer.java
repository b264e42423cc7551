package io.strata.node.columnar.shard;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.columnar.TableShard;
import io.strata.node.columnar.proto.ColumnBytes;
import io.strata.node.columnar.proto.DescribeCommand;
import io.strata.node.columnar.proto.DropShardCommand;
import io.strata.node.columnar.proto.InsertCommand;
import io.strata.node.columnar.proto.InsertedReply;
import io.strata.node.columnar.proto.PageCommand;
import io.strata.node.columnar.proto.PageReply;
import io.strata.node.columnar.proto.ScanCommand;
import io.strata.node.columnar.proto.ScannedReply;
import io.strata.node.columnar.proto.ShardDroppedReply;
import io.strata.node.columnar.proto.ShardInfoReply;
import io.strata.node.columnar.proto.ShardRejectedReply;
import io.strata.node.common.ProtobufSerializer;
import org.apache.pekko.actor.ExtendedActorSystem;

import java.io.NotSerializableException;
import java.util.List;

/**
 * Serializes the {@link TableShard} protocol as the Protobuf messages of {@code table.proto}.
 * Bound to {@code TableShard$Command} and {@code TableShard$Reply} in reference.conf.
 */
public final class TableSerializer extends ProtobufSerializer {

    private static final String INSERT = "I";
    private static final String SCAN = "S";
    private static final String PAGE = "P";
    private static final String DESCRIBE = "D";
    private static final String DROP = "X";
    private static final String INSERTED = "i";
    private static final String SCANNED = "s";
    private static final String PAGE_READ = "p";
    private static final String SHARD_INFO = "d";
    private static final String DROPPED = "x";
    private static final String REJECTED = "r";

    public TableSerializer(ExtendedActorSystem system) {
        super(system);
    }

    @Override
    public int identifier() {
        return 7_304;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof TableShard.Insert) return INSERT;
        if (o instanceof TableShard.Scan) return SCAN;
        if (o instanceof TableShard.Page) return PAGE;
        if (o instanceof TableShard.Describe) return DESCRIBE;
        if (o instanceof TableShard.Drop) return DROP;
        if (o instanceof TableShard.Inserted) return INSERTED;
        if (o instanceof TableShard.Scanned) return SCANNED;
        if (o instanceof TableShard.PageRead) return PAGE_READ;
        if (o instanceof TableShard.ShardInfo) return SHARD_INFO;
        if (o instanceof TableShard.Dropped) return DROPPED;
        if (o instanceof TableShard.Rejected) return REJECTED;
        throw cannotSerialize(o);
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof TableShard.Insert m) {
            return InsertCommand.newBuilder().addAllChunks(m.chunks()).setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TableShard.Scan m) {
            return ScanCommand.newBuilder().setQueryJson(m.queryJson()).setTimeoutMs(m.timeoutMillis())
                    .setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TableShard.Page m) {
            return PageCommand.newBuilder().setQueryJson(m.queryJson()).setFromRow(m.fromRow()).setUntilRow(m.untilRow())
                    .setMaxRows(m.maxRows()).setTimeoutMs(m.timeoutMillis()).setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TableShard.Describe m) {
            return DescribeCommand.newBuilder().setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TableShard.Drop m) {
            return DropShardCommand.newBuilder().setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof TableShard.Inserted m) {
            return InsertedReply.newBuilder().setRows(m.rows()).build().toByteArray();
        } else if (o instanceof TableShard.Scanned m) {
            return ScannedReply.newBuilder().setPartial(m.partial()).build().toByteArray();
        } else if (o instanceof TableShard.PageRead m) {
            return PageReply.newBuilder().setPartial(m.partial()).setNextRow(m.nextRow()).setUntilRow(m.untilRow())
                    .build().toByteArray();
        } else if (o instanceof TableShard.ShardInfo m) {
            ShardInfoReply.Builder b = ShardInfoReply.newBuilder().setRows(m.rows()).setTailRows(m.tailRows())
                    .setSegments(m.segments()).setSegmentRows(m.segmentRows()).setSegmentBytes(m.segmentBytes())
                    .setLogBytes(m.logBytes()).setMemoryBytes(m.memoryBytes());
            m.columns().forEach(c -> b.addColumns(ColumnBytes.newBuilder().setRaw(c.raw()).setEncoded(c.encoded())));
            return b.build().toByteArray();
        } else if (o instanceof TableShard.Dropped) {
            return ShardDroppedReply.getDefaultInstance().toByteArray();
        } else if (o instanceof TableShard.Rejected m) {
            return ShardRejectedReply.newBuilder().setCode(m.code()).setMessage(m.message()).build().toByteArray();
        }
        throw cannotSerialize(o);
    }

    @Override
    protected Object decode(byte[] bytes, String manifest) throws InvalidProtocolBufferException, NotSerializableException {
        switch (manifest) {
            case INSERT: {
                InsertCommand m = InsertCommand.parseFrom(bytes);
                return new TableShard.Insert(List.copyOf(m.getChunksList()), resolve(m.getReplyTo()));
            }
            case SCAN: {
                ScanCommand m = ScanCommand.parseFrom(bytes);
                return new TableShard.Scan(m.getQueryJson(), m.getTimeoutMs(), resolve(m.getReplyTo()));
            }
            case PAGE: {
                PageCommand m = PageCommand.parseFrom(bytes);
                return new TableShard.Page(m.getQueryJson(), m.getFromRow(), m.getUntilRow(), m.getMaxRows(),
                        m.getTimeoutMs(), resolve(m.getReplyTo()));
            }
            case DESCRIBE:
                return new TableShard.Describe(resolve(DescribeCommand.parseFrom(bytes).getReplyTo()));
            case DROP:
                return new TableShard.Drop(resolve(DropShardCommand.parseFrom(bytes).getReplyTo()));
            case INSERTED:
                return new TableShard.Inserted(InsertedReply.parseFrom(bytes).getRows());
            case SCANNED:
                return new TableShard.Scanned(ScannedReply.parseFrom(bytes).getPartial());
            case PAGE_READ: {
                PageReply m = PageReply.parseFrom(bytes);
                return new TableShard.PageRead(m.getPartial(), m.getNextRow(), m.getUntilRow());
            }
            case SHARD_INFO: {
                ShardInfoReply m = ShardInfoReply.parseFrom(bytes);
                return new TableShard.ShardInfo(m.getRows(), m.getTailRows(), m.getSegments(), m.getSegmentRows(),
                        m.getSegmentBytes(), m.getLogBytes(), m.getMemoryBytes(),
                        m.getColumnsList().stream().map(c -> new TableShard.ColumnBytes(c.getRaw(), c.getEncoded())).toList());
            }
            case DROPPED:
                return new TableShard.Dropped();
            case REJECTED: {
                ShardRejectedReply m = ShardRejectedReply.parseFrom(bytes);
                return new TableShard.Rejected(m.getCode(), m.getMessage());
            }
            default:
                throw new NotSerializableException("unknown table manifest '" + manifest + "'");
        }
    }
}
