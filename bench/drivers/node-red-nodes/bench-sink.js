// The benchmark's counting sink for Node-RED: counts messages and wakes the load loop when a
// target count is reached (see bench/drivers/measure-throughput.ts, SinkCounter). Loaded from
// `nodesDir` by bench/drivers/node-red-driver.ts; never installed anywhere else.
module.exports = function (RED) {
  function BenchSinkNode(config) {
    RED.nodes.createNode(this, config);
    this.count = 0;
    this.wakeAt = Infinity;
    this.wake = null;
    this.on('input', (msg, send, done) => {
      this.count++;
      if (this.count >= this.wakeAt) {
        const wake = this.wake;
        this.wake = null;
        this.wakeAt = Infinity;
        if (wake) wake();
      }
      done();
    });
  }
  RED.nodes.registerType('bench-sink', BenchSinkNode);
};
