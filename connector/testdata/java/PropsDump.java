// Test helper for bridge's connector package (run by properties_java_test.go): loads .properties
// files as Kafka Connect does (Utils.loadProps: java.util.Properties.load on an InputStream, so
// ISO-8859-1). For each file named in args it prints a line "%%file", then every entry as
// <key>=<value>, unsorted, one per line.
// Chars outside 0x21..0x7E, and '\', '=' and '%', are written as %XXXX (UTF-16 code unit, lower-case hex),
// so the output is unambiguous. A lone surrogate is first replaced by U+FFFD, since a Go string
// cannot hold one. On a load error it prints "error" for that file.
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;

public class PropsDump {
    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String file : args) {
            out.append("%%file\n");
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(Paths.get(file))) {
                props.load(in);
            } catch (IllegalArgumentException e) {
                out.append("error\n");
                continue;
            }
            for (Map.Entry<Object, Object> e : props.entrySet()) {
                out.append(esc((String) e.getKey())).append('=').append(esc((String) e.getValue())).append('\n');
            }
        }
        System.out.print(out);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(String.format("%%%04x%%%04x", (int) c, (int) s.charAt(i + 1)));
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                c = '\uFFFD';
            }
            if (c > 0x20 && c < 0x7F && c != '\\' && c != '=' && c != '%') {
                b.append(c);
            } else {
                b.append(String.format("%%%04x", (int) c));
            }
        }
        return b.toString();
    }
}
