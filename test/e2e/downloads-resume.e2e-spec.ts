import { TaskStore } from '../../src/tasks/task-store.service';
import { newTask } from '../../src/tasks/new-task';
import { PullingNode } from '../fakes/pulling-node';
import { ADMIN_PASSWORD, makeDataDir, startApp } from '../helpers/app';
import { api, login, waitFor } from '../helpers/http';
import { approveNode, registerNode, sendHeartbeat } from '../helpers/nodes';

/**
 * A pull the node never acknowledged (the server stopped between creating the task and the
 * node's answer) is sent again after a restart, or failed with a reason — never left pending.
 */
async function pendingPullAcrossRestart(env: Record<string, string>) {
  const dataDir = makeDataDir();
  const node = new PullingNode('', '');
  node.auto = false;
  await node.start();
  const first = await startApp({}, dataDir);
  const { nodeId, token } = await registerNode(first.url, { runtime_port: node.port });
  await approveNode(first.url, nodeId);
  await sendHeartbeat(first.url, token, { ready_models: [1, 1] });
  const task = newTask({ kind: 'node_pull', model: 'org/tiny-gguf/tiny.q4_k_m', nodeId });
  await first.app.get(TaskStore).create([task]);
  await first.close();

  const second = await startApp(env, dataDir);
  const admin = api(second.url).as(await login(second.url, 'admin', ADMIN_PASSWORD));
  const get = async () => (await admin.get(`/v0/tasks/${task.id}`)).body;
  return { second, node, taskId: task.id, get };
}

describe('node pulls pending at a restart', () => {
  it('are sent to the node again when LLMLB_PUBLIC_URL says where nodes reach the server', async () => {
    const { second, node, taskId, get } = await pendingPullAcrossRestart({
      LLMLB_PUBLIC_URL: 'http://llmlb.example:32768',
    });
    try {
      await waitFor(() => node.pulls.length > 0, { what: 'the pull to reach the node' });
      expect(node.pulls[0]).toMatchObject({
        task_id: taskId,
        model: 'org/tiny-gguf/tiny.q4_k_m',
        manifest_url: 'http://llmlb.example:32768/v0/models/org%2Ftiny-gguf%2Ftiny.q4_k_m/manifest',
      });
      await waitFor(async () => (await get()).status === 'in_progress', { what: 'in_progress' });
    } finally {
      await second.cleanup();
      await node.stop();
    }
  });

  it('without LLMLB_PUBLIC_URL are sent again with a manifest path the node resolves', async () => {
    const { second, node, taskId } = await pendingPullAcrossRestart({});
    try {
      await waitFor(() => node.pulls.length > 0, { what: 'the pull to reach the node' });
      expect(node.pulls[0]).toMatchObject({
        task_id: taskId,
        manifest_url: '/v0/models/org%2Ftiny-gguf%2Ftiny.q4_k_m/manifest',
      });
    } finally {
      await second.cleanup();
      await node.stop();
    }
  });
});
