/**
 * How the kernel runs cells: {@code ObjectExecutionControl} (snippets on a thread, live results and variables), its
 * provider, interrupts without {@code Thread.stop} ({@code StopPoints}, {@code Interrupts}), the cells' class loader
 * ({@code ClasspathLoaderDelegate}) and {@code CoalescingOutput}.
 *
 * <p>Imports: the JDK ({@code jdk.jshell}) only. Internal: nobody outside {@code dev.neurolens.kernel} may import
 * it.
 */
package dev.neurolens.kernel.internal;
