// Serves Zeebe's in-memory engine (zeebe-process-test-engine) on a gRPC port, for
// `ZEEBE_ENGINE=zpt zeebe/broker.sh start`. Single partition, in-memory state, no exporters, no
// REST API or health endpoint: broker.sh waits for the line printed below and the open port.
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.engine.EngineFactory;

public final class ZptGateway {
  /** Printed once the engine accepts gRPC requests; broker.sh waits for it. */
  static final String READY_LINE = "zpt-gateway ready";

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1 || !args[0].matches("[0-9]{1,5}")) {
      System.err.println("usage: ZptGateway <gateway port>");
      System.exit(2);
    }
    ZeebeTestEngine engine = EngineFactory.create(Integer.parseInt(args[0]));
    engine.start();
    Runtime.getRuntime().addShutdownHook(new Thread(engine::stop, "zpt-gateway-shutdown"));
    System.out.println(READY_LINE + " at " + engine.getGatewayAddress());
    Thread.currentThread().join();
  }
}
