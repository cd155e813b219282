// Test helper for bridge's connector package (run by offsets_connect_read_java_test.go): writes an offsets
// file the way Kafka Connect's FileOffsetBackingStore.save does: a HashMap<byte[], byte[]> through
// one ObjectOutputStream.writeObject call.
//
// args: <output file>, then pairs <key> <value>, each hex-encoded bytes; the value "null" stands for
// a null value (an offset removed through the REST API).
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

public class OffsetsWrite {
    public static void main(String[] args) throws Exception {
        Map<byte[], byte[]> raw = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            byte[] value = args[i + 1].equals("null") ? null : HexFormat.of().parseHex(args[i + 1]);
            raw.put(HexFormat.of().parseHex(args[i]), value);
        }
        try (ObjectOutputStream os = new ObjectOutputStream(Files.newOutputStream(Paths.get(args[0])))) {
            os.writeObject(raw);
        }
    }
}
