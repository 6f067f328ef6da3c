package dev.neurolens.kernel.internal;

import java.util.HashSet;
import java.util.Set;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Adds a call to {@link Interrupts#check()} at the start of every method and before every backward jump in the
 * classes JShell compiles from cells, so any loop or recursion in user code stops within one turn of an interrupt,
 * on every JDK, without {@code Thread.stop} (degraded in JDK 20: it can no longer stop a thread, and before that it
 * could land inside a class initialiser and leave that class unusable). Library code is not touched: it stops
 * cooperatively between steps, and a stop never lands half-way through a library class's initialisation.
 */
final class StopPoints {
    private static final String OWNER = Interrupts.class.getName().replace('.', '/');

    private StopPoints() {
    }

    /** The class with stop points added; the original bytes if ASM cannot read it (then it is only cooperative). */
    static byte[] instrument(byte[] classFile) {
        try {
            ClassReader reader = new ClassReader(classFile);
            // a no-argument static call needs no stack and adds no branch target: maxs and frames stay valid
            ClassWriter writer = new ClassWriter(reader, 0);
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                    return mv == null ? null : new Checks(mv);
                }
            }, 0);
            return writer.toByteArray();
        } catch (RuntimeException unreadable) {
            return classFile;
        }
    }

    private static final class Checks extends MethodVisitor {
        private final Set<Label> placed = new HashSet<>();

        Checks(MethodVisitor mv) {
            super(Opcodes.ASM9, mv);
        }

        private void check() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, OWNER, "check", "()V", false);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            check();
        }

        @Override
        public void visitLabel(Label label) {
            placed.add(label);
            super.visitLabel(label);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            if (placed.contains(label)) {
                check(); // a loop's back edge: the target is already behind us
            }
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            if (anyPlaced(dflt, labels)) {
                check();
            }
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            if (anyPlaced(dflt, labels)) {
                check();
            }
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        private boolean anyPlaced(Label dflt, Label[] labels) {
            if (placed.contains(dflt)) {
                return true;
            }
            for (Label l : labels) {
                if (placed.contains(l)) {
                    return true;
                }
            }
            return false;
        }
    }
}
