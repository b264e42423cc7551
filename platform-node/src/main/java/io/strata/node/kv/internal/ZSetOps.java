package io.strata.node.kv.internal;

import com.google.protobuf.ByteString;
import io.strata.node.kv.ZRange;
import io.strata.node.kv.ZSetChange;
import io.strata.node.kv.ZSetValue;
import io.strata.node.kv.proto.ZRangeSpec;
import io.strata.node.kv.proto.ZSetOp;

import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The Protobuf form of a {@link ZSetChange}, for {@link HashMessages}. */
final class ZSetOps {

    private ZSetOps() {}

    static ZSetOp of(ZSetChange change) {
        ZSetOp.Builder b = ZSetOp.newBuilder();
        if (change instanceof ZSetChange.Add c) {
            b.setOp("add").addAllFlags(c.flags().stream().map(Enum::name).toList());
            members(b, c.members());
        } else if (change instanceof ZSetChange.Remove c) {
            b.setOp("remove").addAllNames(c.names().stream().map(ByteString::copyFrom).toList());
        } else if (change instanceof ZSetChange.Pop c) {
            b.setOp("pop").addNumbers(c.count());
            if (c.max()) {
                b.addFlags("MAX");
            }
        } else if (change instanceof ZSetChange.RemoveRange c) {
            b.setOp("remove_range").setRange(range(c.range()));
        } else if (change instanceof ZSetChange.Replace c) {
            b.setOp("replace");
            members(b, c.members());
        }
        return b.build();
    }

    static ZSetChange change(ZSetOp m) throws NotSerializableException {
        return switch (m.getOp()) {
            case "add" -> {
                Set<ZSetChange.AddFlag> flags = EnumSet.noneOf(ZSetChange.AddFlag.class);
                m.getFlagsList().forEach(f -> flags.add(ZSetChange.AddFlag.valueOf(f)));
                yield new ZSetChange.Add(members(m), flags);
            }
            case "remove" -> new ZSetChange.Remove(m.getNamesList().stream().map(ByteString::toByteArray).toList());
            case "pop" -> new ZSetChange.Pop(m.getFlagsList().contains("MAX"), m.getNumbers(0));
            case "remove_range" -> new ZSetChange.RemoveRange(range(m.getRange()));
            case "replace" -> new ZSetChange.Replace(members(m));
            default -> throw new NotSerializableException("unknown sorted set change '" + m.getOp() + "'");
        };
    }

    private static void members(ZSetOp.Builder b, List<ZSetValue.Member> members) {
        for (ZSetValue.Member member : members) {
            b.addNames(ByteString.copyFrom(member.name())).addScores(member.score());
        }
    }

    private static List<ZSetValue.Member> members(ZSetOp m) {
        List<ZSetValue.Member> members = new ArrayList<>(m.getNamesCount());
        for (int i = 0; i < m.getNamesCount(); i++) {
            members.add(new ZSetValue.Member(m.getNames(i).toByteArray(), m.getScores(i)));
        }
        return members;
    }

    private static ZRangeSpec range(ZRange range) {
        ZRangeSpec.Builder b = ZRangeSpec.newBuilder();
        if (range instanceof ZRange.ByRank r) {
            b.setBy("rank").setStart(r.start()).setStop(r.stop());
        } else if (range instanceof ZRange.ByScore r) {
            b.setBy("score").setMin(r.min()).setMinExclusive(r.minExclusive()).setMax(r.max()).setMaxExclusive(r.maxExclusive());
        } else if (range instanceof ZRange.ByLex r) {
            b.setBy("lex").setMinInfinity(r.min().infinity()).setMinExclusive(r.min().exclusive())
                    .setMaxInfinity(r.max().infinity()).setMaxExclusive(r.max().exclusive());
            if (r.min().name() != null) {
                b.setMinName(ByteString.copyFrom(r.min().name()));
            }
            if (r.max().name() != null) {
                b.setMaxName(ByteString.copyFrom(r.max().name()));
            }
        }
        return b.build();
    }

    private static ZRange range(ZRangeSpec m) throws NotSerializableException {
        return switch (m.getBy()) {
            case "rank" -> new ZRange.ByRank(m.getStart(), m.getStop());
            case "score" -> new ZRange.ByScore(m.getMin(), m.getMinExclusive(), m.getMax(), m.getMaxExclusive());
            case "lex" -> new ZRange.ByLex(
                    new ZRange.LexBound(m.getMinInfinity(), m.getMinInfinity() == 0 ? m.getMinName().toByteArray() : null,
                            m.getMinExclusive()),
                    new ZRange.LexBound(m.getMaxInfinity(), m.getMaxInfinity() == 0 ? m.getMaxName().toByteArray() : null,
                            m.getMaxExclusive()));
            default -> throw new NotSerializableException("unknown sorted set range '" + m.getBy() + "'");
        };
    }
}
