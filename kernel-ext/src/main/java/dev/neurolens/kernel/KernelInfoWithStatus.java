package dev.neurolens.kernel;

import java.util.List;

import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.messages.reply.KernelInfoReply;

/** kernel_info_reply with the "status" field that protocol 5.x requires and the base library leaves out. */
final class KernelInfoWithStatus extends KernelInfoReply {
    @SuppressWarnings("unused") // serialized by the protocol library's Gson
    private final String status = "ok";

    KernelInfoWithStatus(String implementationVersion, LanguageInfo languageInfo, String banner) {
        super("5.3", "neurolens", implementationVersion, languageInfo, banner, List.of());
    }
}
