// Serves Zeebe's in-memory engine (zeebe-process-test-engine) on a gRPC port, for
// `ZEEBE_ENGINE=zpt zeebe/broker.sh start`. Single partition, in-memory state, no exporters, no
// REST API or health endpoint: broker.sh waits for the line printed below and the open port.
//
// With `--control <port>` it also serves a small HTTP endpoint on 127.0.0.1 for tests that must
// observe the engine exactly (the differential test, tests/differential.rs). Zeebe's gRPC API
// cannot list element instances and this engine has no exporters, so the endpoint hands out the
// engine's own record log; it also controls the engine's clock, which it pins at start so that
// time moves only when a test says so:
//   GET  /records?from=N    records N.. of the log, one JSON object per line (Record.toJson())
//   GET  /time              the engine clock, epoch milliseconds
//   POST /time?advance=MS   moves the engine clock forward by MS milliseconds
//   POST /idle              returns once the engine has processed everything written so far
//                           (polls the stream processor: waitForIdleState() waits 50 ms at least)
//   POST /complete-ad-hoc?job=KEY   completes a job with a result of type adHocSubProcess, which
//                           this engine's gRPC gateway drops (GrpcToLogStreamGateway.completeJob
//                           copies only the variables); body lines, each optional or repeated:
//                             variables <JSON object>
//                             activate <element id> <JSON object>
//                             done <true|false>
//                             cancel <true|false>
// Every other command goes through the gRPC gateway.
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.protocol.impl.encoding.MsgPackConverter;
import io.camunda.zeebe.protocol.impl.record.RecordMetadata;
import io.camunda.zeebe.protocol.impl.record.UnifiedRecordValue;
import io.camunda.zeebe.protocol.impl.record.value.job.JobRecord;
import io.camunda.zeebe.protocol.impl.record.value.job.JobResult;
import io.camunda.zeebe.protocol.impl.record.value.job.JobResultActivateElement;
import io.camunda.zeebe.protocol.record.RecordType;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.value.JobResultType;
import io.camunda.zeebe.util.buffer.BufferUtil;
import io.camunda.zeebe.process.test.engine.EngineFactory;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.scheduler.clock.ControlledActorClock;
import io.camunda.zeebe.stream.impl.StreamProcessor;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

public final class ZptGateway {
  /** Printed once the engine accepts gRPC requests; broker.sh waits for it. */
  static final String READY_LINE = "zpt-gateway ready";

  /** How long POST /idle waits for the engine to become idle. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** Polls in a row that must find the log fully processed before POST /idle answers. */
  static final int IDLE_CHECKS = 3;

  public static void main(String[] args) throws Exception {
    boolean control = args.length == 3 && args[1].equals("--control") && isPort(args[2]);
    if (!(args.length == 1 || control) || !isPort(args[0])) {
      System.err.println("usage: ZptGateway <gateway port> [--control <http port>]");
      System.exit(2);
    }
    ZeebeTestEngine engine = EngineFactory.create(Integer.parseInt(args[0]));
    engine.start();
    Runtime.getRuntime().addShutdownHook(new Thread(engine::stop, "zpt-gateway-shutdown"));
    String controlNote = "";
    if (control) {
      serveControl(engine, Integer.parseInt(args[2]));
      controlNote = ", control http://127.0.0.1:" + args[2];
    }
    System.out.println(READY_LINE + " at " + engine.getGatewayAddress() + controlNote);
    Thread.currentThread().join();
  }

  static boolean isPort(String text) {
    return text.matches("[0-9]{1,5}");
  }

  /** Pins the engine clock and serves the record log and clock control on 127.0.0.1:port. */
  static void serveControl(ZeebeTestEngine engine, int port) throws Exception {
    ControlledActorClock clock = privateField(engine, "clock", ControlledActorClock.class);
    clock.pinCurrentTime();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.createContext("/records", exchange -> {
      long from = queryNumber(exchange, "from", 0);
      StringBuilder body = new StringBuilder();
      long index = 0;
      for (Record<?> record : engine.getRecordStreamSource().getRecords()) {
        if (index++ >= from) {
          body.append(record.toJson().replace('\n', ' ')).append('\n');
        }
      }
      reply(exchange, 200, body.toString());
    });
    server.createContext("/time", exchange -> {
      if (exchange.getRequestMethod().equals("POST")) {
        long advance = queryNumber(exchange, "advance", -1);
        if (advance < 0) {
          reply(exchange, 400, "POST /time needs ?advance=<milliseconds>, zero or more\n");
          return;
        }
        engine.increaseTime(Duration.ofMillis(advance));
      }
      reply(exchange, 200, clock.getTimeMillis() + "\n");
    });
    StreamProcessor processor = privateField(engine, "streamProcessor", StreamProcessor.class);
    server.createContext("/idle", exchange -> {
      try {
        waitUntilProcessed(processor);
        reply(exchange, 200, "idle\n");
      } catch (TimeoutException e) {
        reply(exchange, 503, "the engine was still busy after " + IDLE_TIMEOUT + "\n");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reply(exchange, 503, "interrupted\n");
      }
    });
    Object gateway = privateField(engine, "gateway", Object.class);
    Field writerField = gateway.getClass().getDeclaredField("writer");
    writerField.setAccessible(true);
    Object writer = writerField.get(gateway);
    Method write = writer.getClass().getDeclaredMethod(
        "writeCommandWithKey", Long.class, UnifiedRecordValue.class, RecordMetadata.class);
    write.setAccessible(true);
    server.createContext("/complete-ad-hoc", exchange -> {
      long job = queryNumber(exchange, "job", -1);
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (job < 0) {
        reply(exchange, 400, "POST /complete-ad-hoc needs ?job=<key>\n");
        return;
      }
      try {
        JobRecord record = adHocCompletion(body);
        RecordMetadata metadata = new RecordMetadata()
            .recordType(RecordType.COMMAND)
            .requestStreamId(1)
            .valueType(ValueType.JOB)
            .intent(JobIntent.COMPLETE);
        write.invoke(writer, job, record, metadata);
        reply(exchange, 200, "written\n");
      } catch (IllegalArgumentException | ReflectiveOperationException e) {
        reply(exchange, 400, e + "\n");
      }
    });
    server.start();
  }

  /** The JOB COMPLETE command's value for a /complete-ad-hoc body (see the head of this file). */
  static JobRecord adHocCompletion(String body) {
    JobRecord record = new JobRecord();
    JobResult result = new JobResult().setType(JobResultType.AD_HOC_SUB_PROCESS);
    for (String line : body.split("\n")) {
      String[] parts = line.trim().split(" ", 2);
      String rest = parts.length > 1 ? parts[1].trim() : "";
      switch (parts[0]) {
        case "" -> { }
        case "variables" -> record.setVariables(BufferUtil.wrapArray(MsgPackConverter.convertToMsgPack(rest)));
        case "activate" -> {
          String[] element = rest.split(" ", 2);
          String variables = element.length > 1 ? element[1] : "{}";
          result.addActivateElement(new JobResultActivateElement()
              .setElementId(element[0])
              .setVariables(BufferUtil.wrapArray(MsgPackConverter.convertToMsgPack(variables))));
        }
        case "done" -> result.setCompletionConditionFulfilled(Boolean.parseBoolean(rest));
        case "cancel" -> result.setCancelRemainingInstances(Boolean.parseBoolean(rest));
        default -> throw new IllegalArgumentException("unknown line: " + line);
      }
    }
    return record.setResult(result);
  }

  /**
   * Returns once the stream processor has processed the whole log, seen on IDLE_CHECKS polls in a
   * row (a processed command may append follow-up commands just after a check).
   */
  static void waitUntilProcessed(StreamProcessor processor) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + IDLE_TIMEOUT.toNanos();
    int idleChecks = 0;
    while (idleChecks < IDLE_CHECKS) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException();
      }
      idleChecks = processor.hasProcessingReachedTheEnd().join() ? idleChecks + 1 : 0;
      Thread.sleep(1);
    }
  }

  /**
   * A private field of InMemoryEngine: it keeps its clock and stream processor there and exposes
   * only increaseTime and a waitForIdleState with a 50 ms grace period.
   */
  static <T> T privateField(ZeebeTestEngine engine, String name, Class<T> type) throws ReflectiveOperationException {
    Field field = engine.getClass().getDeclaredField(name);
    field.setAccessible(true);
    return type.cast(field.get(engine));
  }

  /** The number after `name=` in the query, or `fallback` when absent or not a number. */
  static long queryNumber(HttpExchange exchange, String name, long fallback) {
    String query = exchange.getRequestURI().getQuery();
    if (query == null) {
      return fallback;
    }
    for (String pair : query.split("&")) {
      if (pair.startsWith(name + "=") && pair.substring(name.length() + 1).matches("[0-9]{1,18}")) {
        return Long.parseLong(pair.substring(name.length() + 1));
      }
    }
    return fallback;
  }

  static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
