// JaasParse runs each stdin line (a hex-encoded sasl.jaas.config value) through Kafka's own
// client JAAS parsing and prints, per line, "ERR" or "OK <module> <flag> <key>=<value>...",
// every string hex-encoded and the options sorted, for bridge's comparison test.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import javax.security.auth.login.AppConfigurationEntry;

import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

public class JaasParse {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            out.append(parse(new String(unhex(line), StandardCharsets.UTF_8))).append('\n');
        }
        System.out.print(out);
    }

    static String parse(String jaas) {
        try {
            JaasContext ctx = JaasContext.loadClientContext(
                Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas)));
            AppConfigurationEntry e = ctx.configurationEntries().get(0);
            String flag = e.getControlFlag().toString();
            flag = flag.substring(flag.lastIndexOf(' ') + 1).toLowerCase();
            StringBuilder b = new StringBuilder("OK ").append(hex(e.getLoginModuleName())).append(' ').append(flag);
            TreeMap<String, Object> opts = new TreeMap<>();
            for (Map.Entry<String, ?> o : e.getOptions().entrySet()) {
                if (o.getKey() != null) opts.put(o.getKey(), o.getValue()); // a number as the key: no name
            }
            for (Map.Entry<String, ?> o : opts.entrySet()) {
                b.append(' ').append(hex(o.getKey())).append('=').append(hex((String) o.getValue()));
            }
            return b.toString();
        } catch (RuntimeException ex) {
            return "ERR";
        }
    }

    static String hex(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) b.append(String.format("%02x", x));
        return b.length() == 0 ? "-" : b.toString();
    }

    static byte[] unhex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }
}
