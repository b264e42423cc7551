package io.strata.node.testing;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** A local actor system for checking that messages serialize with the expected serializer and come back equal. */
public final class SerializationRoundTrip implements AutoCloseable {

    private final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    private final Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));

    public ActorTestKit testKit() {
        return testKit;
    }

    /** Serializes {@code message}, asserting the serializer is a {@code serializerType}, and deserializes it. */
    public Object roundTrip(Object message, Class<? extends Serializer> serializerType) {
        Serializer serializer = serialization.findSerializerFor(message);
        assertInstanceOf(serializerType, serializer, "bound to the Protobuf serializer, never Java serialization");
        return serialization.deserialize(serializer.toBinary(message), serializer.identifier(),
                Serializers.manifestFor(serializer, message)).get();
    }

    @Override
    public void close() {
        testKit.shutdownTestKit();
    }
}
