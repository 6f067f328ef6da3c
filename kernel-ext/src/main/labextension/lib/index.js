// Neurolens views are HTML outputs whose scripts talk to the kernel over a Jupyter comm. Classic Notebook gives
// such scripts window.Jupyter; JupyterLab 4 and Notebook 7 give them nothing, so this plugin lends them the kernel
// of the notebook that holds their output, with the small part of the classic comm API they use.
import { INotebookTracker } from '@jupyterlab/notebook';

function classicComm(comm) {
  return {
    send: (data) => comm.send(data),
    on_msg: (handler) => { comm.onMsg = handler; },
    on_close: (handler) => { comm.onClose = handler; },
    close: () => { if (!comm.isDisposed) { comm.close(); } }
  };
}

const plugin = {
  id: 'neurolens-comms:plugin',
  description: 'The kernel of a Neurolens view, for its comm.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (app, tracker) => {
    // one stand-in per kernel connection, so a view can tell whether its kernel changed (restart, switch)
    const standIns = new WeakMap();
    window.neurolensKernelFor = (node) => {
      let panel = null;
      tracker.forEach((p) => { if (!panel && node && p.node.contains(node)) { panel = p; } });
      const session = panel && panel.sessionContext && panel.sessionContext.session;
      const kernel = session && session.kernel;
      if (!kernel) {
        return null;
      }
      let standIn = standIns.get(kernel);
      if (!standIn) {
        standIn = {
          comm_manager: {
            new_comm: (target, data) => {
              const comm = kernel.createComm(target);
              const wrapped = classicComm(comm);
              comm.open(data);
              return wrapped;
            }
          }
        };
        standIns.set(kernel, standIn);
      }
      return standIn;
    };
  }
};

export default plugin;
