package io.strata.node.common;

import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.NotSerializableException;

/**
 * Base of Strata's Pekko serializers: an actor protocol written as Protobuf messages, with
 * {@code replyTo} references in their serialized form. Subclasses map each message to a manifest
 * and a Protobuf message, and back in {@link #decode}.
 */
public abstract class ProtobufSerializer extends SerializerWithStringManifest {

    private final ActorRefResolver resolver;

    protected ProtobufSerializer(ExtendedActorSystem system) {
        this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }

    /** Rebuilds the message of {@code manifest}; unknown manifests throw {@link NotSerializableException}. */
    protected abstract Object decode(byte[] bytes, String manifest) throws InvalidProtocolBufferException, NotSerializableException;

    @Override
    public final Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        try {
            return decode(bytes, manifest);
        } catch (InvalidProtocolBufferException e) {
            NotSerializableException failure = new NotSerializableException(getClass().getSimpleName()
                    + ": corrupt message with manifest " + manifest);
            failure.initCause(e);
            throw failure;
        }
    }

    protected final String ref(ActorRef<?> ref) {
        return resolver.toSerializationFormat(ref);
    }

    protected final <T> ActorRef<T> resolve(String ref) {
        return resolver.resolveActorRef(ref);
    }

    protected final IllegalArgumentException cannotSerialize(Object o) {
        return new IllegalArgumentException(getClass().getSimpleName() + " cannot serialize " + o.getClass().getName());
    }
}
