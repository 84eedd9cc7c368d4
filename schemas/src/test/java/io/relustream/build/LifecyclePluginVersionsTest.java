package io.relustream.build;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parent POM pins every plugin of the jar lifecycle, publishing included: without a pin Maven 3
 * falls back to its own old defaults (maven-deploy-plugin 2.7, whose dependencies a warm repository
 * for this build does not hold, so {@code mvn -o deploy} fails resolving them).
 */
class LifecyclePluginVersionsTest {

    private static final List<String> JAR_LIFECYCLE_PLUGINS =
            List.of(
                    "maven-clean-plugin",
                    "maven-resources-plugin",
                    "maven-compiler-plugin",
                    "maven-surefire-plugin",
                    "maven-jar-plugin",
                    "maven-install-plugin",
                    "maven-deploy-plugin");

    @Test
    void everyJarLifecyclePluginHasAVersionInThePluginManagement() throws Exception {
        Document pom =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(Path.of("..", "pom.xml").toFile());
        Element pluginManagement = (Element) pom.getElementsByTagName("pluginManagement").item(0);
        Map<String, String> versions = new HashMap<>();
        NodeList plugins = pluginManagement.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            NodeList version = plugin.getElementsByTagName("version");
            versions.put(
                    plugin.getElementsByTagName("artifactId").item(0).getTextContent(),
                    version.getLength() == 0 ? null : version.item(0).getTextContent());
        }

        for (String plugin : JAR_LIFECYCLE_PLUGINS) {
            assertThat(versions.get(plugin)).as(plugin).isNotBlank();
        }
    }
}
