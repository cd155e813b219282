// Makes bridge's connector/testdata/connectoffsets/standalone.offsets with Kafka Connect's own
// classes: the FileOffsetBackingStore a standalone worker uses, fed through an OffsetStorageWriter
// with the worker's internal converters (JsonConverter, schemas.enable=false), as
// FileStreamSourceTask offsets reach it. Run it by hand when the fixture needs remaking:
//   javac -cp "$CP" -d DIR OffsetsFixture.java && java -cp "$CP:DIR" OffsetsFixture OUT
// where CP is the Connect runtime's classpath (the jars scripts/kafka.sh fetches).
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.storage.OffsetStorageWriter;

public class OffsetsFixture {
    public static void main(String[] args) throws Exception {
        Map<String, String> conv = Map.of("schemas.enable", "false");
        JsonConverter keyConverter = new JsonConverter();
        keyConverter.configure(conv, true);
        JsonConverter valueConverter = new JsonConverter();
        valueConverter.configure(conv, false);

        FileOffsetBackingStore store = new FileOffsetBackingStore(keyConverter);
        Map<String, String> worker = new HashMap<>();
        worker.put("bootstrap.servers", "127.0.0.1:9092"); // required by the config, never dialled
        worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("offset.storage.file.filename", args[0]);
        store.configure(new StandaloneConfig(worker));
        store.start();

        write(store, keyConverter, valueConverter, "local-file-source",
              Map.of("filename", "/tmp/en0.log"), Map.of("position", 1234L));
        write(store, keyConverter, valueConverter, "local-file-source",
              Map.of("filename", "/var/log/caf\u00e9 \uD83D\uDE00 \"quoted\".log"), Map.of("position", 98765432101L));
        write(store, keyConverter, valueConverter, "second-source",
              Map.of("filename", "test.txt"), Map.of("position", 0L));
        // Another connector type's offsets share the file; bridge skips them.
        write(store, keyConverter, valueConverter, "jdbc-source",
              Map.of("table", "users"), Map.of("incrementing", 42L));
        // An offset removed (as the REST API's DELETE /connectors/x/offsets does) stays as a null.
        write(store, keyConverter, valueConverter, "removed-source",
              Map.of("filename", "/tmp/gone.log"), Map.of("position", 7L));
        write(store, keyConverter, valueConverter, "removed-source",
              Map.of("filename", "/tmp/gone.log"), null);
        store.stop();
    }

    static void write(FileOffsetBackingStore store, JsonConverter keys, JsonConverter values, String connector,
                      Map<String, ?> partition, Map<String, ?> offset) throws Exception {
        OffsetStorageWriter writer = new OffsetStorageWriter(store, connector, keys, values);
        writer.offset(partition, offset);
        if (!writer.beginFlush()) {
            throw new IllegalStateException("nothing to flush");
        }
        writer.doFlush((error, result) -> {
            if (error != null) {
                throw new RuntimeException(error);
            }
        }).get();
    }
}
