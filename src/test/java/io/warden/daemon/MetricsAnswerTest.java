package io.warden.daemon;

import io.warden.json.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsAnswerTest {
    private static final String TEXT = "warden_x 1\n".repeat(3000); // 33,000 bytes, about 36 KB encoded
    private final AtomicInteger renders = new AtomicInteger();
    private final Supplier<String> render = () -> {
        renders.incrementAndGet();
        return TEXT;
    };

    private static String drain(MetricsAnswer a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer block = ByteBuffer.allocate(16 * 1024);
        boolean more;
        do {
            block.clear();
            more = a.fill(block);
            out.write(block.array(), 0, block.position());
        } while (more);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void the_answer_is_one_line_of_the_protocol_rendered_at_the_first_block_only() throws Exception {
        MetricsAnswer a = MetricsAnswer.reserve(render, null);
        assertEquals(0, renders.get(), "nothing rendered before the answer has a slot and is read");
        String line = drain(a);
        assertEquals(1, renders.get());
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line");
        Map<String, Object> m = Json.parseObject(line.trim());
        assertEquals(true, m.get("ok"));
        assertEquals(TEXT, ((Map<?, ?>) m.get("result")).get("text"));
    }

    @Test
    void unread_unprivileged_answers_hold_no_more_than_the_budget() {
        MetricsAnswer.Budget budget = new MetricsAnswer.Budget(100_000);
        MetricsAnswer first = MetricsAnswer.reserve(render, budget);
        assertNotNull(first, "the first answer always gets in");
        assertNull(MetricsAnswer.reserve(render, budget), "its size is not known yet: it is reckoned as the budget");
        first.fill(ByteBuffer.allocate(16 * 1024)); // rendered: its size is known and held
        long size = budget.held();
        assertTrue(size > 33_000, "holds its rendering: " + size);
        MetricsAnswer second = MetricsAnswer.reserve(render, budget);
        assertNotNull(second);
        assertEquals(2 * size, budget.held(), "reckoned with the last rendering's size before it renders");
        assertNull(MetricsAnswer.reserve(render, budget), "a third would pass 100,000 bytes");
        assertEquals(2 * size, budget.held(), "a refusal takes nothing");
        first.close();
        assertEquals(size, budget.held(), "an answer sent or dropped gives its bytes back");
        MetricsAnswer third = MetricsAnswer.reserve(render, budget);
        assertNotNull(third);
        second.close();
        third.close();
        assertEquals(0, budget.held(), "closed before rendering: the estimate is given back");
        assertEquals(1, renders.get(), "answers refused or dropped before their first block cost no rendering");
    }
}
