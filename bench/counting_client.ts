/**
 * The benchmarks' WebSocket client.
 *
 * @module
 */

/** A real WebSocket client of the server, subscribed to every stream with masks, that
 * counts the result messages of each stream. */
export class CountingClient {
  #socket: WebSocket;
  #counts = new Map<string, number>();
  #lastAt = new Map<string, number>();
  #waiters = new Set<() => void>();
  #closed: Promise<void>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.addEventListener("close", () => resolve()));
    socket.addEventListener("message", (e) => {
      const text = e.data as string;
      const head = /^\{"v":3,"type":"result","streamId":"([^"]*)"/.exec(text.slice(0, 120));
      if (!head) return;
      const id = head[1];
      this.#counts.set(id, (this.#counts.get(id) ?? 0) + 1);
      this.#lastAt.set(id, performance.now());
      for (const w of this.#waiters) w();
    });
  }

  static async connect(url: string): Promise<CountingClient> {
    const socket = new WebSocket(url);
    const client = new CountingClient(socket);
    const subscribed = new Promise<void>((resolve, reject) => {
      socket.addEventListener("message", (e) => {
        const m = JSON.parse(e.data as string);
        if (m.type === "hello") {
          socket.send(JSON.stringify({ type: "subscribe", streams: "*", masks: true }));
        } else if (m.type === "subscribed") resolve();
        else if (m.type === "error") reject(new Error(m.message));
      });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)));
    });
    await subscribed;
    return client;
  }

  reset(id: string): void {
    this.#counts.set(id, 0);
    this.#lastAt.delete(id);
  }

  count(id: string): number {
    return this.#counts.get(id) ?? 0;
  }

  /** Waits until `count` results of `id` arrived (or `timeoutMs`); the last one's time. */
  async waitFor(id: string, count: number, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.count(id) < count && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 100);
        this.#waiters.add(wake);
      });
    }
    return this.#lastAt.get(id) ?? 0;
  }

  async close(): Promise<void> {
    if (this.#socket.readyState < 2) this.#socket.close();
    await this.#closed;
  }
}
