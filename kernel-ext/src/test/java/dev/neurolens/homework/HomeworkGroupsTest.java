package dev.neurolens.homework;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** %check alone grades the homework being worked on, not every homework the library knows. */
class HomeworkGroupsTest {
    record Stub(String name) implements Check {
        @Override
        public String description() {
            return "stub " + name;
        }

        @Override
        public CheckResult grade(Object submission) {
            return CheckResult.notSubmitted(name, "");
        }
    }

    @Test
    void checkAllIsLimitedToOpenedHomeworks() {
        Homework.register("groups-a", new Stub("zz_a1"));
        Homework.register("groups-a", new Stub("zz_a2"));
        Homework.register("groups-b", new Stub("zz_b1"));
        Homework.open("groups-b");
        List<String> graded = Homework.checkAll("zz_").results().stream().map(CheckResult::part).toList();
        assertEquals(List.of("zz_b1"), graded);
    }
}
