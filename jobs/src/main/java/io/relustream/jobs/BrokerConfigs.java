package io.relustream.jobs;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.config.ConfigResource;

import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * What the brokers of a cluster say one of their settings is, for the checks a job makes before it
 * starts: any broker may be the one a client ends up asking (a transaction's coordinator, a topic's
 * first producer), so the checks look at every one.
 */
final class BrokerConfigs {

    private BrokerConfigs() {}

    /**
     * The value of {@code name} on each broker, in no particular order; null for a broker that does
     * not give it. Empty when the cluster has no brokers to describe.
     *
     * @throws ExecutionException when Kafka refuses to describe them (not allowed, say)
     */
    static List<String> valuesOnEveryBroker(Admin admin, String name, int timeoutMillis)
            throws ExecutionException, InterruptedException {
        List<ConfigResource> brokers =
                admin
                        .describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMillis))
                        .nodes()
                        .get()
                        .stream()
                        .map(
                                node ->
                                        new ConfigResource(
                                                ConfigResource.Type.BROKER, node.idString()))
                        .toList();
        return admin
                .describeConfigs(brokers, new DescribeConfigsOptions().timeoutMs(timeoutMillis))
                .all()
                .get()
                .values()
                .stream()
                .map((Config config) -> config.get(name))
                .map(entry -> entry == null ? null : entry.value())
                .toList();
    }
}
