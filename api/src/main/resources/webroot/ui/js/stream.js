import { streamUrl } from './api.js';

/**
 * The live stream (/api/v1/stream) for one page: reconnects with back-off while the page is
 * open, and says when it (re)connected so the page can reload what it may have missed.
 */
export class LiveStream {
  constructor(onMessage, onState) {
    this.onMessage = onMessage;
    this.onState = onState;
    this.closed = false;
    this.delay = 1000;
    this.socket = null;
    this.timer = null;
    this.connect();
  }

  connect() {
    if (this.closed) return;
    this.onState('connecting');
    let socket;
    try {
      socket = new WebSocket(streamUrl());
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // not ours to show
      }
      if (message.type === 'subscribed') {
        this.delay = 1000;
        this.onState('live');
      }
      this.onMessage(message);
    });
    socket.addEventListener('close', () => {
      if (this.socket === socket) this.retry();
    });
  }

  retry() {
    if (this.closed) return;
    this.onState('reconnecting');
    this.timer = setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(this.delay * 2, 15000);
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close(1000, 'page left');
    }
  }
}
