package io.freshrank.jobs.common;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/** Parses job arguments ({@code --key value} pairs) into a Flink {@link Configuration}. */
public final class JobConfigs {
    private JobConfigs() {}

    public static Configuration fromArgs(String[] args) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "arguments must be --key value pairs, e.g. --"
                                + FreshrankOptions.BOOTSTRAP_SERVERS.key()
                                + " 127.0.0.1:9092; got '"
                                + a
                                + "'");
            }
            map.put(a.substring(2), args[++i]);
        }
        return Configuration.fromMap(map);
    }
}
