// Test helper for bridge's connector package (run by values_java_test.go when Kafka Connect's jars
// are at hand): runs Connect's own FileStreamSourceTask over a file and converts every record value
// with Connect's own converters, so bridge can compare byte for byte.
//
// args: <file>. stdout, one line per record:
//   <offset position> <JsonConverter schemas.enable=true> <JsonConverter schemas.enable=false> <StringConverter>
// each converter output hex-encoded ("-" when empty).
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.file.FileStreamSourceTask;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.apache.kafka.connect.storage.StringConverter;

public class ConnectRecords {
    public static void main(String[] args) throws Exception {
        FileStreamSourceTask task = new FileStreamSourceTask();
        task.initialize(new SourceTaskContext() {
            public Map<String, String> configs() { return Map.of(); }
            public PluginMetrics pluginMetrics() { return null; }
            public OffsetStorageReader offsetStorageReader() {
                return new OffsetStorageReader() {
                    public <T> Map<String, Object> offset(Map<String, T> partition) { return null; }
                    public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> ps) { return new HashMap<>(); }
                };
            }
        });
        // One poll reads all that is ready; a batch size above the line count keeps it from
        // returning early (lines left in the task's buffer would wait for more data).
        task.start(Map.of("file", args[0], "topic", "t", "batch.size", "100000000"));
        List<SourceRecord> records = task.poll();
        task.stop();

        JsonConverter withSchema = new JsonConverter();
        withSchema.configure(Map.of("schemas.enable", "true"), false);
        JsonConverter schemaless = new JsonConverter();
        schemaless.configure(Map.of("schemas.enable", "false"), false);
        StringConverter plain = new StringConverter();
        plain.configure(Map.of(), false);

        HexFormat hex = HexFormat.of();
        StringBuilder out = new StringBuilder();
        for (SourceRecord r : records == null ? List.<SourceRecord>of() : records) {
            out.append(r.sourceOffset().get("position"));
            for (byte[] v : new byte[][] {
                    withSchema.fromConnectData("t", r.valueSchema(), r.value()),
                    schemaless.fromConnectData("t", r.valueSchema(), r.value()),
                    plain.fromConnectData("t", r.valueSchema(), r.value())}) {
                String h = hex.formatHex(v);
                out.append(' ').append(h.isEmpty() ? "-" : h);
            }
            out.append('\n');
        }
        System.out.print(out);
    }
}
