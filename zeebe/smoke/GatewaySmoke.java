// Proves the local broker serves the gRPC gateway: asks for the topology, deploys a one-task
// process, starts an instance, completes its job with a worker and waits for the instance result.
// Run by `zeebe/broker.sh smoke` (Java source launcher, the distribution's jars on the classpath).
import io.camunda.zeebe.client.ZeebeClient;
import io.camunda.zeebe.client.api.response.ProcessInstanceResult;
import io.camunda.zeebe.client.api.response.Topology;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

public final class GatewaySmoke {
  private static final String PROCESS = """
      <?xml version="1.0" encoding="UTF-8"?>
      <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
          xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="smoke-definitions"
          targetNamespace="http://bpmn.io/schema/bpmn">
        <bpmn:process id="smoke" isExecutable="true">
          <bpmn:startEvent id="start"/>
          <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
          <bpmn:serviceTask id="work">
            <bpmn:extensionElements><zeebe:taskDefinition type="smoke-work"/></bpmn:extensionElements>
          </bpmn:serviceTask>
          <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
          <bpmn:endEvent id="end"/>
        </bpmn:process>
      </bpmn:definitions>
      """;

  public static void main(String[] args) {
    String address = args.length > 0 ? args[0] : "127.0.0.1:26500";
    try (ZeebeClient client =
        ZeebeClient.newClientBuilder().grpcAddress(URI.create("http://" + address)).usePlaintext()
            .defaultRequestTimeout(Duration.ofSeconds(60)).build()) {
      Topology topology = client.newTopologyRequest().send().join(60, TimeUnit.SECONDS);
      System.out.println("topology: gateway " + topology.getGatewayVersion() + ", brokers "
          + topology.getBrokers().size() + ", partitions " + topology.getPartitionsCount());

      long processKey = client.newDeployResourceCommand()
          .addResourceBytes(PROCESS.strip().getBytes(StandardCharsets.UTF_8), "smoke.bpmn")
          .send().join().getProcesses().get(0).getProcessDefinitionKey();
      System.out.println("deployed smoke.bpmn: process definition key " + processKey);

      try (var worker = client.newWorker().jobType("smoke-work")
          .handler((jobClient, job) -> jobClient.newCompleteCommand(job.getKey())
              .variables(Map.of("answer", 42)).send().join())
          .open()) {
        ProcessInstanceResult result = client.newCreateInstanceCommand().bpmnProcessId("smoke")
            .latestVersion().withResult().requestTimeout(Duration.ofSeconds(60))
            .send().join();
        Object answer = result.getVariablesAsMap().get("answer");
        if (!Integer.valueOf(42).equals(answer)) {
          throw new IllegalStateException("expected variable answer=42 from the worker, got " + answer);
        }
        System.out.println("instance " + result.getProcessInstanceKey() + " completed with answer=" + answer);
      }
    }
  }
}
