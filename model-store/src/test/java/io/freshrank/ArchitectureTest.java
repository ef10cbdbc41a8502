package io.freshrank;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.freshrank.store.LocalModelStore;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Architecture of model-store: it is shared by the Flink job and the standalone server, so none of
 * its classes may touch Flink, and the layers point one way (serving -> store -> model).
 */
class ArchitectureTest {
    private static JavaClasses moduleClasses;

    @BeforeAll
    static void importThisModule() throws Exception {
        // only this module's compiled main classes (not feature-schemas, not tests)
        Path classes =
                Path.of(
                        LocalModelStore.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        moduleClasses = new ClassFileImporter().importPath(classes);
        assertThat(moduleClasses.contain(LocalModelStore.class)).isTrue();
        assertThat(moduleClasses.contain("io.freshrank.serving.RankingServer")).isTrue();
    }

    @Test
    void noClassDependsOnFlink() {
        noClasses()
                .that()
                .resideInAPackage("io.freshrank..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.flink..")
                .because("model-store is shared by the Flink job and the Flink-free server")
                .check(moduleClasses);
    }

    @Test
    void storeDoesNotDependOnServing() {
        noClasses()
                .that()
                .resideInAPackage("io.freshrank.store..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.freshrank.serving..")
                .because("the training job uses the store without the server")
                .check(moduleClasses);
    }

    @Test
    void modelMathDependsOnNeitherStoreNorServing() {
        noClasses()
                .that()
                .resideInAPackage("io.freshrank.model..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.freshrank.store..", "io.freshrank.serving..")
                .because("the model math is the bottom layer shared by trainer and server")
                .check(moduleClasses);
    }
}
