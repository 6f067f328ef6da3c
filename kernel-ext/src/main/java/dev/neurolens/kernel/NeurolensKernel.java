package dev.neurolens.kernel;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.neurolens.Neurolens;
import dev.neurolens.display.Display;
import dev.neurolens.display.DisplaySink;
import dev.neurolens.display.LiveView;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Painter;
import dev.neurolens.kernel.internal.CoalescingOutput;
import dev.neurolens.kernel.internal.ObjectExecutionControl;
import dev.neurolens.kernel.internal.ObjectExecutionControlProvider;
import dev.neurolens.magics.MagicArgumentException;
import dev.neurolens.magics.MagicRegistry;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.messages.MessageType;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.TypeDeclSnippet;
import jdk.jshell.VarSnippet;

/**
 * The Neurolens Java kernel: JShell running in this JVM (so cells hand live objects to the renderers), on the
 * Jupyter protocol from jupyter-jvm-basekernel. Kernel-specific code stays here; everything a user sees
 * (renderers, magics) is the extension, which works in a stock IJava kernel too.
 */
public final class NeurolensKernel extends BaseKernel {
    static final List<String> STARTUP_IMPORTS = List.of(
            "import java.util.*;", "import java.util.function.*;", "import java.util.stream.*;",
            "import java.io.*;", "import java.nio.file.*;", "import java.math.*;",
            "import java.awt.image.BufferedImage;",
            "import dev.neurolens.*;", "import dev.neurolens.display.*;", "import dev.neurolens.model.*;",
            "import dev.neurolens.features.*;", "import dev.neurolens.attribution.*;", "import dev.neurolens.optimize.*;",
            "import dev.neurolens.run.*;",
            "import static dev.neurolens.kernel.Notebook.*;");
    private static final String RED = "\u001b[0;31m";
    private static final String RESET = "\u001b[0m";
    private static final int MAX_FRAMES = 12;
    private static final Pattern SNIPPET_FILE = Pattern.compile("#(\\d+)");
    private static final Pattern IDENTIFIER_TAIL = Pattern.compile("[\\w.$]*$");
    private static final Pattern IDENTIFIER_HEAD = Pattern.compile("^[\\w$]*");

    private final ObjectExecutionControlProvider provider;
    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final LanguageInfo languageInfo;
    /** Where each snippet of the running cell starts (cell line, 1-based), to point errors at the user's line. */
    private final Map<String, Integer> snippetStartLine = new HashMap<>();
    private final Map<String, String> snippetSource = new HashMap<>();
    /** Browser views talking to kernel objects (the painter); 2 minutes per request at most. */
    private final KernelComms comms = new KernelComms(120_000);

    public NeurolensKernel() {
        provider = new ObjectExecutionControlProvider(NeurolensKernel.class.getClassLoader());
        shell = JShell.builder()
                .executionEngine(provider, Map.of())
                .compilerOptions("-Xlint:none", "-proc:none")
                .build();
        shell.addToClasspath(absoluteClasspath());
        analysis = shell.sourceCodeAnalysis();
        for (String imp : STARTUP_IMPORTS) {
            shell.eval(imp);
        }
        languageInfo = new LanguageInfo.Builder("java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("text/x-java")
                .build();
        Neurolens.install();
        Display.setSink(new KernelSink());
        MagicRegistry.register(new JarsMagic(this));
        MagicRegistry.register(new SparkMagic(this));
        MagicRegistry.readVariablesWith(this::variable);
        comms.register(Painter.COMM_TARGET, KernelComms.painters());
    }

    /**
     * A cell-defined variable's live object, for magics that take one by name ({@code --model net}). Magics run on
     * the cell's thread while JShell waits for it, so reading its variables here does not race with an evaluation.
     */
    private Optional<Object> variable(String name) {
        Optional<VarSnippet> v = shell.variables().filter(s -> s.name().equals(name) && shell.status(s) == Snippet.Status.VALID)
                .reduce((a, b) -> b);
        return v.map(s -> provider.control().readVariable(() -> shell.varValue(s)));
    }

    private static String absoluteClasspath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(new File(e).getAbsolutePath());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    void addToClasspath(String path) {
        shell.addToClasspath(path);
    }

    @Override
    public void becomeHandlerForConnection(JupyterConnection connection) {
        super.becomeHandlerForConnection(connection);
        connection.setHandler(MessageType.KERNEL_INFO_REQUEST, (env, request) -> {
            env.setBusyDeferIdle();
            env.reply(new KernelInfoWithStatus(dev.neurolens.magics.Versions.neurolens(), languageInfo, getBanner()));
        });
        history.install(connection);
        comms.install(connection);
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return languageInfo;
    }

    @Override
    public String getBanner() {
        return "Neurolens " + dev.neurolens.magics.Versions.neurolens() + " — Java " + Runtime.version()
                + " (JShell). %neurolens lists the magics.";
    }

    // ---------------------------------------------------------------- execute

    private final SessionHistory history = new SessionHistory();

    @Override
    public DisplayData eval(String cell) throws Exception {
        history.add(cell);
        PrintStream direct = System.out;
        PrintStream coalesced = CoalescingOutput.over(direct);
        System.setOut(coalesced);
        try {
            return evalCell(cell);
        } finally {
            coalesced.flush(); // printed text comes before the cell's value or error
            System.setOut(direct);
        }
    }

    private DisplayData evalCell(String cell) throws Exception {
        ObjectExecutionControl control = provider.control();
        control.beginCell();
        try {
            return evalSnippets(control, cell);
        } finally {
            control.endCell();
        }
    }

    private DisplayData evalSnippets(ObjectExecutionControl control, String cell) throws Exception {
        control.clearResults();
        snippetStartLine.clear();
        snippetSource.clear();
        String java = MagicTranslator.translate(cell);
        Object value = null;
        boolean hasValue = false;
        String remaining = java;
        int consumed = 0;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == Completeness.EMPTY) {
                break;
            }
            // Leading blank lines are dropped so JShell's line numbers count from the snippet's first code line.
            String source = (info.completeness().isComplete() ? info.source() : remaining).stripLeading();
            int startLine = lineOf(java, consumed + leadingWhitespace(remaining));
            hasValue = false;
            value = null;
            for (SnippetEvent event : shell.eval(source)) {
                if (event.causeSnippet() != null) {
                    continue; // dependents re-evaluated because of this snippet
                }
                Snippet snippet = event.snippet();
                snippetStartLine.put(snippet.id(), startLine);
                snippetSource.put(snippet.id(), source);
                if (event.status() == Snippet.Status.REJECTED) {
                    throw compilationError(snippet, source, startLine);
                }
                if (event.exception() != null) {
                    throw runtimeError(event.exception());
                }
                if (showsValue(snippet) && !endsWithSemicolon(remaining, info)) {
                    hasValue = true;
                    value = ObjectExecutionControl.isResultKey(event.value())
                            ? control.takeResult(event.value()) : event.value();
                }
            }
            if (!info.completeness().isComplete()) {
                // JShell accepted input it called incomplete (rare); nothing more can follow it.
                break;
            }
            consumed += remaining.length() - info.remaining().length();
            remaining = info.remaining();
        }
        control.clearResults();
        if (!hasValue || value == null) {
            return null;
        }
        DisplayData dd = toDisplayData(Display.bundleOf(value));
        if (value instanceof LiveView live) {
            // a view that will be updated (a painter's strokes, %paint) goes out as display_data with its id:
            // JupyterLab and Notebook 7 only update display_data outputs, not a cell's execute_result
            dd.setDisplayId(live.displayId());
            display(dd);
            return null;
        }
        return dd;
    }

    /**
     * As in IPython, a trailing ';' on the cell's last expression hides its value ({@code System.out.printf(...);}
     * would otherwise show the PrintStream). JShell adds a ';' itself where one is missing, so look at the text.
     */
    private static boolean endsWithSemicolon(String remaining, CompletionInfo info) {
        if (!info.completeness().isComplete()) {
            return false;
        }
        String typed = remaining.substring(0, remaining.length() - info.remaining().length()).strip();
        return typed.endsWith(";");
    }

    /** Expressions show their value; declarations (int x = 1;) and statements do not, as in IJava. */
    private static boolean showsValue(Snippet s) {
        return s.kind() == Snippet.Kind.EXPRESSION
                || (s instanceof VarSnippet && s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND);
    }

    private CompilationException compilationError(Snippet snippet, String source, int startLine) {
        List<String> lines = new ArrayList<>();
        String first = null;
        for (Diag d : (Iterable<Diag>) shell.diagnostics(snippet)::iterator) {
            if (!d.isError()) {
                continue;
            }
            int pos = (int) Math.max(0, Math.min(d.getStartPosition(), source.length()));
            int end = (int) Math.max(pos + 1, Math.min(d.getEndPosition(), source.length()));
            int lineInSnippet = lineOf(source, pos);
            int lineStart = source.lastIndexOf('\n', pos - 1) + 1;
            int lineEnd = source.indexOf('\n', pos);
            String codeLine = source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd);
            String message = d.getMessage(Locale.ROOT).replace("\r", "");
            int cellLine = startLine + lineInSnippet - 1;
            String headline = "line " + cellLine + ": " + message.lines().findFirst().orElse(message);
            if (first == null) {
                first = headline;
            }
            lines.add(RED + "line " + cellLine + RESET + ": " + message);
            lines.add("    " + codeLine);
            int caretLen = Math.max(1, Math.min(end, lineEnd < 0 ? source.length() : lineEnd) - pos);
            lines.add("    " + " ".repeat(Math.max(0, pos - lineStart)) + "^" + "~".repeat(caretLen - 1));
        }
        if (first == null) {
            first = "line " + startLine + ": the code does not compile (incomplete statement? check for a missing ';', ')' or '}')";
            lines.add(first);
        }
        return new CompilationException(first, lines);
    }

    private Exception runtimeError(JShellException ex) {
        if (ex instanceof UnresolvedReferenceException ure) {
            String msg = "this uses " + describe(ure.getSnippet()) + ", which refers to something not defined yet; define it, then run again";
            return new CellException(msg, List.of(RED + "UnresolvedReference" + RESET + ": " + msg));
        }
        EvalException ee = (EvalException) ex;
        String cls = ee.getExceptionClassName();
        if (ObjectExecutionControl.Interrupted.class.getName().equals(cls) || "java.lang.ThreadDeath".equals(cls)) {
            String redefined = redefineInterruptedInitializer();
            String msg = "the cell was stopped; variables defined so far are kept" + (redefined == null ? ""
                    : "; it stopped class " + redefined + " while it was initialising, so " + redefined
                    + " was defined again and will initialise afresh when next used");
            return new CellInterrupted("the cell was interrupted; variables defined so far are kept",
                    List.of(RED + "Interrupted" + RESET + ": " + msg));
        }
        if (MagicArgumentException.class.getName().equals(cls)) {
            return new MagicArgumentException(ee.getMessage());
        }
        List<String> tb = new ArrayList<>();
        Throwable t = ee;
        String summary = null;
        Set<Throwable> seen = new LinkedHashSet<>();
        boolean refusal = isRefusal(cls, ee.getStackTrace());
        while (t != null && seen.add(t)) {
            String name = t instanceof EvalException e2 ? e2.getExceptionClassName() : t.getClass().getName();
            String line = (tb.isEmpty() ? "" : "Caused by: ") + RED + simpleName(name) + RESET
                    + (t.getMessage() == null ? "" : ": " + t.getMessage());
            if (summary == null) {
                summary = simpleName(name) + (t.getMessage() == null ? "" : ": " + t.getMessage());
            }
            tb.add(line);
            if (refusal) {
                // the message says what was wrong and what to do; the user needs their own line, not ours
                tb.addAll(userFrames(t.getStackTrace(), true));
                break;
            }
            tb.addAll(userFrames(t.getStackTrace(), false));
            t = t.getCause();
        }
        return new CellException(summary, tb);
    }

    /**
     * A class whose static initialiser was interrupted is unusable for the rest of the JVM's life; a cell-defined
     * one is simply declared again from its source, so its next use initialises it afresh. Returns its name.
     */
    private String redefineInterruptedInitializer() {
        String binary = provider.control().takeInterruptedInitializer();
        if (binary == null) {
            return null;
        }
        String name = binary.substring(binary.lastIndexOf('$') + 1);
        List<TypeDeclSnippet> types = shell.types().filter(t -> t.name().equals(name)).toList();
        if (types.isEmpty()) {
            return null;
        }
        // JShell only reloads a class whose bytecode changed: a leading line break moves its line numbers, which
        // is enough to make it load the declaration afresh
        shell.eval("\n" + types.get(types.size() - 1).source());
        return name;
    }

    private static String describe(Snippet s) {
        String src = s.source().strip();
        int nl = src.indexOf('\n');
        return "'" + (nl < 0 ? src : src.substring(0, nl) + " …") + "'";
    }

    /**
     * Neurolens refusing bad input (an IllegalArgumentException or one of our own exceptions thrown by our code):
     * its message is the whole story, so the traceback shows it with the user's lines only.
     */
    private static boolean isRefusal(String exceptionClass, StackTraceElement[] frames) {
        if (frames.length == 0 || !frames[0].getClassName().startsWith("dev.neurolens.")) {
            return false;
        }
        if (exceptionClass.startsWith("dev.neurolens.")) {
            return true;
        }
        try {
            return IllegalArgumentException.class.isAssignableFrom(Class.forName(exceptionClass, false,
                    NeurolensKernel.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Library frames stay (they say where it broke), the JShell/reflection/kernel plumbing below the cell goes. */
    private List<String> userFrames(StackTraceElement[] frames, boolean cellOnly) {
        List<String> out = new ArrayList<>();
        int shown = 0;
        for (StackTraceElement f : frames) {
            String cls = f.getClassName();
            if (cls.startsWith("jdk.internal.reflect.") || cls.startsWith("java.lang.reflect.")
                    || cls.startsWith("dev.neurolens.kernel.") || cls.startsWith("jdk.jshell.")) {
                continue;
            }
            if (shown == MAX_FRAMES) {
                out.add("    …");
                break;
            }
            Matcher m = f.getFileName() == null ? null : SNIPPET_FILE.matcher(f.getFileName());
            if (m != null && m.matches()) {
                String id = m.group(1);
                Integer start = snippetStartLine.get(id);
                String where = start != null ? "line " + (start + f.getLineNumber() - 1) : "an earlier cell (snippet " + id + ")";
                boolean topLevel = f.getMethodName().isEmpty(); // JShell blanks the wrapper of a cell's statements
                String method = topLevel ? "" : " in " + f.getMethodName() + "()";
                out.add("    at " + where + method + codeAt(id, f.getLineNumber()));
                shown++;
                if (topLevel) {
                    break; // the cell's own top level: anything below is the kernel calling it
                }
            } else if (!cellOnly) {
                out.add("    at " + f);
                shown++;
            }
        }
        return out;
    }

    private String codeAt(String snippetId, int line) {
        String src = snippetSource.get(snippetId);
        if (src == null || line < 1) {
            return "";
        }
        String[] lines = src.split("\n", -1);
        return line <= lines.length ? ": " + lines[line - 1].strip() : "";
    }

    private static String simpleName(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? className : className.substring(dot + 1);
    }

    @Override
    public List<String> formatError(Exception e) {
        if (e instanceof KernelError ke) {
            return ke.traceback();
        }
        if (e instanceof MagicArgumentException) {
            return List.of(RED + "MagicArgumentException" + RESET + ": " + e.getMessage());
        }
        return super.formatError(e);
    }

    @Override
    public void interrupt() {
        comms.interrupt();
        shell.stop();
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        shell.close();
    }

    // ---------------------------------------------------------------- completion, inspection, is_complete

    @Override
    public ReplacementOptions complete(String code, int at) {
        int lineStart = code.lastIndexOf('\n', at - 1) + 1;
        String line = code.substring(lineStart, at);
        Matcher magic = Pattern.compile("^\\s*%{1,2}([\\w.-]*)$").matcher(line);
        if (magic.matches()) {
            String prefix = magic.group(1);
            List<String> names = MagicRegistry.all().stream().map(m -> m.name()).filter(n -> n.startsWith(prefix)).toList();
            return names.isEmpty() ? null : new ReplacementOptions(names, at - prefix.length(), at);
        }
        int base = lastSnippetStart(code.substring(0, at));
        String snippet = code.substring(base);
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> suggestions = analysis.completionSuggestions(snippet, at - base, anchor);
        LinkedHashSet<String> options = new LinkedHashSet<>();
        suggestions.stream().filter(SourceCodeAnalysis.Suggestion::matchesType).forEach(s -> options.add(s.continuation()));
        suggestions.forEach(s -> options.add(s.continuation()));
        return options.isEmpty() ? null : new ReplacementOptions(new ArrayList<>(options), base + anchor[0], at);
    }

    /** JShell completes one snippet; find where the snippet containing the cursor starts. */
    private int lastSnippetStart(String before) {
        int base = 0;
        String remaining = before;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (!info.completeness().isComplete() || info.remaining().isBlank()) {
                break;
            }
            base += remaining.length() - info.remaining().length();
            remaining = info.remaining();
        }
        return base;
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        int end = at;
        Matcher head = IDENTIFIER_HEAD.matcher(code.substring(at));
        if (head.find()) {
            end = at + head.end();
        }
        int base = lastSnippetStart(code.substring(0, Math.min(end, code.length())));
        String snippet = code.substring(base, end);
        StringBuilder text = new StringBuilder();
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(snippet, snippet.length(), true);
        if (docs.isEmpty()) {
            // JShell documents the call being written: "Math.max" alone has none, "Math.max(" has every overload.
            docs = analysis.documentation(snippet + "(", snippet.length() + 1, true);
        }
        for (SourceCodeAnalysis.Documentation doc : docs) {
            text.append(doc.signature()).append('\n');
            if (doc.javadoc() != null && !doc.javadoc().isBlank()) {
                text.append(doc.javadoc().strip()).append("\n\n");
            }
        }
        if (text.length() == 0) {
            Matcher tail = IDENTIFIER_TAIL.matcher(snippet);
            String name = tail.find() ? tail.group() : "";
            shell.variables().filter(v -> v.name().equals(name)).reduce((a, b) -> b).ifPresent(v -> text
                    .append(v.typeName()).append(' ').append(v.name()).append(" = ").append(shell.varValue(v)));
        }
        if (text.length() == 0) {
            return null;
        }
        DisplayData dd = new DisplayData(text.toString().strip());
        return dd;
    }

    @Override
    public String isComplete(String code) {
        if (code.stripLeading().startsWith("%")) {
            return IS_COMPLETE_YES; // magics are one line (or own the whole cell)
        }
        String remaining = code;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            switch (info.completeness()) {
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    return "    ";
                case UNKNOWN:
                    return IS_COMPLETE_BAD;
                case EMPTY:
                    return IS_COMPLETE_YES;
                default:
                    remaining = info.remaining();
            }
        }
        return IS_COMPLETE_YES;
    }

    // ---------------------------------------------------------------- display plumbing

    static DisplayData toDisplayData(MimeBundle bundle) {
        DisplayData dd = new DisplayData();
        bundle.data().forEach(dd::putData);
        bundle.metadata().forEach(dd::putMetaData); // e.g. the logical width of a 2x chart
        if (!bundle.has(MimeBundle.TEXT)) {
            dd.putText("");
        }
        return dd;
    }

    private final class KernelSink implements DisplaySink {
        @Override
        public void display(MimeBundle bundle, String displayId) {
            System.out.flush(); // text printed before the picture shows above it
            DisplayData dd = toDisplayData(bundle);
            dd.setDisplayId(displayId);
            getIO().display.display(dd);
        }

        @Override
        public void update(MimeBundle bundle, String displayId) {
            DisplayData dd = toDisplayData(bundle);
            dd.setDisplayId(displayId);
            // Outside a cell (a comm message from a browser view) the display stream is detached.
            if (!getIO().display.isAttached() && comms.publishUpdate(dd)) {
                return;
            }
            getIO().display.updateDisplay(displayId, dd);
        }
    }

    private static int leadingWhitespace(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** 1-based line of a character offset. */
    private static int lineOf(String s, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, s.length()); i++) {
            if (s.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
