package dev.neurolens.magics;

import dev.neurolens.homework.Check;
import dev.neurolens.homework.Homework;

/**
 * {@code %check part}: grades a homework part handed in with {@code Homework.submit} (or a homework's typed
 * helper) against the library's reference; {@code %check} alone grades every part.
 */
public final class CheckMagic implements Magic {
    private static final ArgSchema SCHEMA = ArgSchema.builder("check",
                    "grade a homework part against the library's reference (relative error, pass/fail)")
            .optionalPositional("part", ArgSchema.Type.STRING, "all", "the part to grade, e.g. saliency; all parts by default")
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        String part = args.string("part");
        if (part == null || part.equals("all")) {
            return Homework.checkAll("");
        }
        for (Check c : Homework.checks()) {
            if (c.name().equals(part)) {
                return Homework.check(part);
            }
        }
        throw new MagicArgumentException("no homework part '" + part + "'; parts: "
                + String.join(", ", Homework.checks().stream().map(Check::name).toList()));
    }
}
