// Test helper for bridge's connectvalue package (run by javautf8_java_test.go): decodes byte strings the
// way Kafka Connect's FileStreamSourceTask reads a file, through an InputStreamReader with the UTF-8
// charset (malformed input replaced), and prints what Java holds.
//
// stdin: one hex-encoded byte string per line. stdout, one line per input:
//   <UTF-16 code units, 4 hex digits each> <the chars re-encoded as UTF-8, hex>
// An empty field is written as "-".
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

public class JavaDecode {
    public static void main(String[] args) throws Exception {
        HexFormat hex = HexFormat.of();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            String s = decode(hex.parseHex(line));
            StringBuilder units = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                units.append(String.format("%04x", (int) s.charAt(i)));
            }
            String utf8 = hex.formatHex(s.getBytes(StandardCharsets.UTF_8));
            out.append(units.length() == 0 ? "-" : units).append(' ')
               .append(utf8.isEmpty() ? "-" : utf8).append('\n');
        }
        System.out.print(out);
    }

    // decode reads all chars as FileStreamSourceTask does: a BufferedReader over an
    // InputStreamReader(stream, UTF_8), read into a char buffer.
    static String decode(byte[] b) throws Exception {
        Reader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(b), StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder();
        char[] buf = new char[1024];
        for (int n; (n = r.read(buf, 0, buf.length)) != -1; ) {
            sb.append(buf, 0, n);
        }
        return sb.toString();
    }
}
