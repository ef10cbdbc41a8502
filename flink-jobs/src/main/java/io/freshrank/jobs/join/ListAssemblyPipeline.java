package io.freshrank.jobs.join;

import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.jobs.common.OperatorIds;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Builds the list-assembly graph after the label join, so the job and the tests build the same
 * graph: encoded examples -> decode the grouping fields (chained to the join) -> key by request id
 * -> {@link AssembleListsFunction} -> encoded {@code ListExample}s.
 */
public final class ListAssemblyPipeline {
    private ListAssemblyPipeline() {}

    public static DataStream<BytesRecord> build(
            DataStream<BytesRecord> examples, ListAssemblyConfig config) {
        return examples.map(
                        new DecodeListInputFunction(config), TypeInformation.of(ListInput.class))
                .name("list inputs")
                .keyBy(RequestKey.INSTANCE)
                .process(new AssembleListsFunction(config), TypeInformation.of(BytesRecord.class))
                .uid(OperatorIds.ASSEMBLE_LISTS)
                .name("assemble lists");
    }

    /** Decodes the grouping fields of an encoded example (stateless). */
    static final class DecodeListInputFunction extends RichMapFunction<BytesRecord, ListInput> {
        private static final long serialVersionUID = 1L;
        private final ListAssemblyConfig config;
        private transient ListAssembler assembler;

        DecodeListInputFunction(ListAssemblyConfig config) {
            this.config = config;
        }

        @Override
        public void open(OpenContext ctx) {
            assembler = new ListAssembler(config);
        }

        @Override
        public ListInput map(BytesRecord example) {
            return assembler.input(example.value);
        }
    }

    /** Keys list inputs by request id. */
    static final class RequestKey implements KeySelector<ListInput, String> {
        static final RequestKey INSTANCE = new RequestKey();
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(ListInput in) {
            return in.requestId;
        }
    }
}
