// The official Zeebe Java client's side of `benches/zeebe-workers`: one job worker with a no-op
// handler completes the jobs of one type, and the rate of acknowledged completions is timed.
// Run with the client's jars on the classpath (Java source launcher):
//
//   java -cp 'zeebe/target/java-client-8.6.0/lib/*' zeebe/bench/JavaWorkerBench.java \
//       127.0.0.1:26500 <job type> <jobs to time> <warm-up jobs> <max jobs active> <threads>
//
// The handler sends the completion without waiting for it (the client's idiomatic no-op), and
// the completions are counted as the gateway acknowledges them. The clock runs from the
// acknowledgement of the last warm-up job to that of the last timed one. Prints one JSON line.
import io.camunda.zeebe.client.ZeebeClient;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public final class JavaWorkerBench {
  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: JavaWorkerBench <gateway host:port> <job type> <jobs> <warm-up jobs>"
          + " <max jobs active> <threads>");
      System.exit(2);
    }
    String gateway = args[0];
    String jobType = args[1];
    long jobs = Long.parseLong(args[2]);
    long warmup = Long.parseLong(args[3]);
    int maxJobsActive = Integer.parseInt(args[4]);
    int threads = Integer.parseInt(args[5]);
    if (jobs < 1 || warmup < 1) {
      System.err.println("JavaWorkerBench: the clock starts at the last warm-up job: give at least 1 job and"
          + " 1 warm-up job");
      System.exit(2);
    }

    AtomicLong acknowledged = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    long[] clock = new long[2];
    long[] cpu = new long[2];
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean();
    CountDownLatch done = new CountDownLatch(1);
    try (ZeebeClient client = ZeebeClient.newClientBuilder().grpcAddress(URI.create("http://" + gateway))
        .usePlaintext().numJobWorkerExecutionThreads(threads).defaultRequestTimeout(Duration.ofSeconds(30))
        .build()) {
      try (var worker = client.newWorker().jobType(jobType)
          .handler((jobClient, job) -> jobClient.newCompleteCommand(job.getKey()).send().whenComplete(
              (response, error) -> {
                if (error != null) {
                  rejected.incrementAndGet();
                  return;
                }
                long count = acknowledged.incrementAndGet();
                if (count == warmup) {
                  clock[0] = System.nanoTime();
                  cpu[0] = os.getProcessCpuTime();
                } else if (count == warmup + jobs) {
                  clock[1] = System.nanoTime();
                  cpu[1] = os.getProcessCpuTime();
                  done.countDown();
                }
              }))
          .name("java-bench").maxJobsActive(maxJobsActive).timeout(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(100)).requestTimeout(Duration.ofSeconds(10)).open()) {
        if (!done.await(10, TimeUnit.MINUTES)) {
          System.err.println("JavaWorkerBench: only " + acknowledged.get() + " of " + (warmup + jobs)
              + " jobs completed in 10 minutes (" + rejected.get() + " completions rejected)");
          System.exit(1);
        }
      }
    }
    double seconds = (clock[1] - clock[0]) / 1e9;
    double cpuSeconds = (cpu[1] - cpu[0]) / 1e9;
    System.out.printf("{\"client\": \"zeebe-client-java\", \"version\": \"%s\", \"jobs\": %d, \"seconds\": %.3f,"
        + " \"jobs_per_s\": %.1f, \"max_jobs_active\": %d, \"threads\": %d, \"rejected_completions\": %d,"
        + " \"cpu_seconds\": %.3f, \"cpu_us_per_job\": %.1f}%n",
        ZeebeClient.class.getPackage().getImplementationVersion(), jobs, seconds, jobs / seconds, maxJobsActive,
        threads, rejected.get(), cpuSeconds, cpuSeconds * 1e6 / jobs);
  }
}
