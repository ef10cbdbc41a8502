package io.freshrank.serving;

import io.freshrank.store.LocalModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a ranking server on a model store until the process is stopped:
 *
 * <pre>
 * RankingServerMain --store DIR [--port N] [--bind 127.0.0.1] [--poll-ms 1000]
 *                   [--threads N] [--max-candidates N] [--fp16 true|false]
 *                   [--max-overlay-depth N]
 * </pre>
 *
 * Prints the server's URL on stdout once listening; exits with status 2 on bad arguments.
 */
public final class RankingServerMain {
    static final String USAGE =
            "usage: RankingServerMain --store DIR [--port N] [--bind 127.0.0.1] [--poll-ms 1000]"
                    + " [--threads N] [--max-candidates N] [--fp16 true|false]"
                    + " [--max-overlay-depth N]";

    private RankingServerMain() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        RankingServer server;
        try {
            server = start(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.close();
                                    stopped.countDown();
                                },
                                "freshrank-server-shutdown"));
        System.out.println(
                "Freshrank ranking server: "
                        + server.uri()
                        + " (store "
                        + server.puller().store().root()
                        + ")");
        stopped.await();
    }

    private static boolean parseBoolean(String flag, String v) {
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default ->
                    throw new IllegalArgumentException(
                            flag + " needs true or false, got '" + v + "'");
        };
    }

    /**
     * Parses {@code args} and starts the server.
     *
     * @throws IllegalArgumentException naming the bad or missing option
     */
    static RankingServer start(String[] args) throws IOException {
        Path store = null;
        RankingServerConfig config = RankingServerConfig.defaults();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String v = args[++i];
            try {
                switch (flag) {
                    case "--store" -> store = Path.of(v);
                    case "--port" -> config = config.withPort(Integer.parseInt(v));
                    case "--bind" -> config = config.withBindAddress(v);
                    case "--poll-ms" ->
                            config = config.withPollInterval(Duration.ofMillis(Long.parseLong(v)));
                    case "--threads" -> config = config.withThreads(Integer.parseInt(v));
                    case "--max-candidates" ->
                            config = config.withMaxCandidates(Integer.parseInt(v));
                    case "--fp16" -> config = config.withFp16(parseBoolean(flag, v));
                    case "--max-overlay-depth" ->
                            config = config.withMaxOverlayDepth(Integer.parseInt(v));
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs a number, got '" + v + "'", e);
            }
        }
        if (store == null) {
            throw new IllegalArgumentException("--store DIR is required");
        }
        return RankingServer.start(new LocalModelStore(store), config);
    }
}
