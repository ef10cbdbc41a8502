package io.freshrank.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExampleOffsetsTest {
    @Test
    void formatsInPartitionOrderAndParsesBack() {
        String text = ExampleOffsets.format(Map.of(10, 5L, 0, 1234L, 1, 987L));
        assertThat(text).isEqualTo("0:1234,1:987,10:5");
        assertThat(ExampleOffsets.parse(text))
                .containsExactly(Map.entry(0, 1234L), Map.entry(1, 987L), Map.entry(10, 5L));
        assertThat(ExampleOffsets.parse(" 0:1 , 2:3 ")).containsEntry(0, 1L).containsEntry(2, 3L);
    }

    @Test
    void emptyIsTheEmptyString() {
        assertThat(ExampleOffsets.format(Map.of())).isEmpty();
        assertThat(ExampleOffsets.parse("")).isEmpty();
    }

    @Test
    void rejectsMalformedPairsNamingThem() {
        for (String bad :
                new String[] {"0", "0:", ":5", "a:1", "0:x", "-1:5", "0:-5", "0:1,0:2", "0:1,"}) {
            assertThatThrownBy(() -> ExampleOffsets.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(SnapshotManifest.EXAMPLES_OFFSETS);
        }
        assertThatThrownBy(() -> ExampleOffsets.format(Map.of(0, -1L)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
