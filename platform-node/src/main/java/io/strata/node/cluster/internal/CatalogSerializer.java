package io.strata.node.cluster.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.cluster.CatalogWriter;
import io.strata.node.cluster.proto.CatalogWriteCommand;
import io.strata.node.cluster.proto.CatalogWriteReply;
import io.strata.node.common.ProtobufSerializer;
import org.apache.pekko.actor.ExtendedActorSystem;

import java.io.NotSerializableException;

/**
 * Serializes the {@link CatalogWriter} protocol as the Protobuf messages of {@code catalog.proto}.
 * Bound to {@code CatalogWriter$Write} and {@code CatalogWriter$Result} in reference.conf.
 */
public final class CatalogSerializer extends ProtobufSerializer {

    private static final String WRITE = "W";
    private static final String RESULT = "r";

    public CatalogSerializer(ExtendedActorSystem system) {
        super(system);
    }

    @Override
    public int identifier() {
        return 7_305;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof CatalogWriter.Write) return WRITE;
        if (o instanceof CatalogWriter.Result) return RESULT;
        throw cannotSerialize(o);
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof CatalogWriter.Write w) {
            return CatalogWriteCommand.newBuilder().setKind(w.kind()).setName(w.name()).setItemJson(w.itemJson())
                    .setReplyTo(ref(w.replyTo())).build().toByteArray();
        }
        if (o instanceof CatalogWriter.Result r) {
            return CatalogWriteReply.newBuilder().setOutcome(CatalogWriteReply.Outcome.valueOf(r.outcome().name()))
                    .setDetail(r.detail()).build().toByteArray();
        }
        throw cannotSerialize(o);
    }

    @Override
    protected Object decode(byte[] bytes, String manifest) throws InvalidProtocolBufferException, NotSerializableException {
        switch (manifest) {
            case WRITE -> {
                CatalogWriteCommand w = CatalogWriteCommand.parseFrom(bytes);
                return new CatalogWriter.Write(w.getKind(), w.getName(), w.getItemJson(), resolve(w.getReplyTo()));
            }
            case RESULT -> {
                CatalogWriteReply r = CatalogWriteReply.parseFrom(bytes);
                if (r.getOutcome() == CatalogWriteReply.Outcome.UNRECOGNIZED) {
                    throw new NotSerializableException("CatalogSerializer: unknown outcome " + r.getOutcomeValue());
                }
                return new CatalogWriter.Result(CatalogWriter.Outcome.valueOf(r.getOutcome().name()), r.getDetail());
            }
            default -> throw new NotSerializableException("CatalogSerializer: unknown manifest " + manifest);
        }
    }
}
