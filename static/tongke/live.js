/* Tongke live room (CLS-2, CLS-3): WebSocket signaling, WebRTC media, quiz, questions, chat.
 *
 * Peer to peer (the embedded default): the master's page keeps one RTCPeerConnection per
 * receiving classroom and always makes the offer. Each connection carries three m-lines in a
 * fixed order: audio and video both ways, then a send-only "floor" audio on which the master
 * forwards the classroom it has brought in. With an SFU (Janus), the page sends the same
 * offers and answers to the server, which relays them to Janus (see janus-mode below).
 *
 * A dropped socket reconnects by itself with backoff; the server replays the room's state.
 * A failed ICE connection is restarted. A classroom whose incoming video stalls or loses
 * packets switches itself to audio plus slides (stills of the master's screen).
 */
(function () {
  "use strict";
  var cfgEl = document.getElementById("live-config");
  if (!cfgEl) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.strings;
  var role = cfg.role;
  var $ = function (id) { return document.getElementById(id); };

  var ws = null;
  var backoff = 500;
  var ended = false;
  var stopped = false;
  var iceServers = [];
  var localStream = null;
  var localReady = null;
  var pcs = new Map(); // peer -> {pc, queue: [candidates], tx: [transceivers]}
  var remoteStreams = new Map(); // peer -> MediaStream (the master: each classroom's)
  var rooms = new Map(); // peer -> classroom state {label, online, mode, students_present}
  var floorPeer = null;
  var quiz = null;
  var mode = "video";
  var weakSamples = 0;
  var lastInbound = null;
  var sfu = false; // true: media through Janus, relayed by the server (see sfu.py)

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function setStatus(text, state) {
    var s = $("live-room") && document.querySelector("[data-testid=room-status]");
    if (s) { s.textContent = text; s.dataset.state = state || ""; }
  }

  function showError(message) {
    var box = $("live-error");
    if (!box) return;
    box.textContent = message;
    box.classList.remove("live-hidden");
    clearTimeout(showError.timer);
    showError.timer = setTimeout(function () { box.classList.add("live-hidden"); }, 6000);
  }

  // --- Local media ------------------------------------------------------------------------

  function getLocal() {
    if (localReady) return localReady;
    if (role !== "master" && role !== "classroom") {
      localReady = Promise.resolve(null);
      return localReady;
    }
    localReady = navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true },
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 25 } }
    }).then(function (stream) {
      localStream = stream;
      var self = $("live-self");
      if (self) self.srcObject = stream;
      return stream;
    }).catch(function (err) {
      showError(String(err && err.message || err));
      localStream = new MediaStream();
      return localStream;
    });
    return localReady;
  }

  function track(kind) {
    if (!localStream) return null;
    var list = kind === "audio" ? localStream.getAudioTracks() : localStream.getVideoTracks();
    return list.length ? list[0] : null;
  }

  // --- Signaling socket -------------------------------------------------------------------

  function send(obj) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    return false;
  }

  function connect() {
    if (ended || stopped) return;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + cfg.ws;
    ws = new WebSocket(url);
    setStatus(T.connecting, "connecting");
    ws.onopen = function () { backoff = 500; };
    ws.onmessage = function (e) {
      var ev;
      try { ev = JSON.parse(e.data); } catch (err) { return; }
      Promise.resolve(handle(ev)).catch(function (err) { console.error(err); });
    };
    ws.onclose = function (e) {
      if (ended || stopped) return;
      if (e.code === 4404 || e.code === 4409) { stopped = true; return; }
      setStatus(T.reconnecting, "reconnecting");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 8000);
    };
  }

  window.addEventListener("online", function () {
    if (ws && ws.readyState > 1) { backoff = 500; connect(); }
  });
  // Keepalive; the master and observers also ask who is connected, to heal lost events.
  setInterval(function () {
    send({ type: "ping", t: Date.now(), online: role === "master" || role === "observer" });
  }, 15000);

  // --- Events from the room ---------------------------------------------------------------

  function handle(ev) {
    switch (ev.type) {
      case "welcome": return welcome(ev);
      case "peer.joined": return peerJoined(ev);
      case "peer.left": return peerLeft(ev);
      case "signal": return onSignal(ev);
      case "feeds": (ev.peers || []).forEach(wantFeed); return;
      case "feed": return wantFeed(ev.peer);
      case "sfu.answer": return sfuAnswer(ev);
      case "sfu.offer": return sfuOffer(ev);
      case "sfu.gone": return closePeer(ev.link);
      case "message": return addMessage(ev);
      case "resolved": return resolved(ev.id);
      case "quiz": return showQuiz(ev);
      case "quiz.state": return quizState(ev);
      case "quiz.totals": return quizTotals(ev.quiz, ev.room);
      case "quiz.received": return quizReceived(ev);
      case "quiz.closed": return quizClosed(ev);
      case "floor": return setFloor(ev.peer);
      case "mode": return modeChanged(ev.peer, ev.mode);
      case "headcount": return headcount(ev.peer, ev.count);
      case "slide": return showSlide(ev.image);
      case "pong": return ev.online ? reconcile(ev.online) : undefined;
      case "error": return refused(ev);
      case "ended": return endedRoom();
      case "replaced":
        stopped = true;
        setStatus(T.replaced, "replaced");
        closeAll();
        return;
      default: return;
    }
  }

  function refused(ev) {
    showError(T.error + ": " + ev.message + " (" + ev.code + ")");
    if (ev.code === "auth.required" || /not_found|ended|cancelled|not_open/.test(ev.code || "")) {
      stopped = true;
      setStatus(ev.message, "refused");
    }
  }

  function welcome(ev) {
    iceServers = ev.ice_servers || [];
    sfu = !!ev.sfu;
    rooms.clear();
    (ev.classrooms || []).forEach(function (c) { rooms.set(c.peer, c); });
    if (role === "classroom") {
      var mine = ev.classrooms && ev.classrooms[0];
      if (mine) { mode = mine.mode; renderMode(); }
    }
    floorPeer = ev.session.floor;
    setStatus(ev.session.master_online || role === "master" ? T.connected : T.waiting_master,
      ev.session.master_online || role === "master" ? "connected" : "waiting");
    renderTiles();
    var list = $("live-messages");
    if (list) list.textContent = "";
    (ev.messages || []).forEach(addMessage);
    if (ev.quiz) { showQuiz(ev.quiz); if (ev.quiz.rooms) quizState(ev.quiz); }
    return getLocal().then(function () {
      if (sfu) {
        if (role === "master" || role === "classroom") publish();
      } else if (role === "master") {
        rooms.forEach(function (c, peer) { if (c.online) offerTo(peer); });
      }
    });
  }

  function peerJoined(ev) {
    if (ev.peer === "master") {
      if (role !== "master") setStatus(T.connected, "connected");
      return;
    }
    var c = rooms.get(ev.peer) || { peer: ev.peer, label: ev.label };
    c.online = true;
    c.mode = ev.mode || c.mode;
    rooms.set(ev.peer, c);
    renderTiles();
    if (role === "master" && !sfu) return getLocal().then(function () { offerTo(ev.peer); });
  }

  function reconcile(online) {
    var here = {};
    online.forEach(function (p) { here[p] = true; });
    rooms.forEach(function (c, peer) {
      if (c.online && !here[peer]) peerLeft({ peer: peer });
      else if (!c.online && here[peer]) peerJoined({ peer: peer, label: c.label, mode: c.mode });
    });
  }

  function peerLeft(ev) {
    if (ev.peer === "master") {
      if (role !== "master") setStatus(T.waiting_master, "waiting");
      closePeer("master");
      return;
    }
    var c = rooms.get(ev.peer);
    if (c) { c.online = false; renderTiles(); }
    if (role === "master") {
      closePeer(ev.peer);
      if (floorPeer === ev.peer) applyFloor();
    }
  }

  // --- WebRTC -----------------------------------------------------------------------------

  function closePeer(peer) {
    var entry = pcs.get(peer);
    if (entry) { try { entry.pc.close(); } catch (e) { /* closed already */ } }
    pcs.delete(peer);
    remoteStreams.delete(peer);
  }

  function closeAll() { Array.from(pcs.keys()).forEach(closePeer); }

  function newPeer(peer) {
    closePeer(peer);
    var pc = new RTCPeerConnection({ iceServers: iceServers });
    var entry = { pc: pc, queue: [], restarts: 0 };
    pcs.set(peer, entry);
    pc.onicecandidate = function (e) {
      if (sfu) send({ type: "sfu.trickle", link: peer, candidate: e.candidate ? e.candidate.toJSON() : null });
      else if (e.candidate) send({ type: "signal", to: peer, candidate: e.candidate.toJSON() });
    };
    pc.onconnectionstatechange = function () {
      if (sfu && pc.connectionState === "failed" && pcs.get(peer) === entry) {
        entry.restarts += 1;
        if (entry.restarts <= 5) setTimeout(function () { peer === "pub" ? publish() : wantFeed(entry.feed); }, 1000);
      }
      if (!sfu && pc.connectionState === "failed" && role === "master" && pcs.get(peer) === entry) {
        entry.restarts += 1;
        if (entry.restarts <= 5) offerTo(peer, true);
      }
      if (role !== "master" && pc.connectionState === "connected") setStatus(T.connected, "connected");
    };
    return entry;
  }

  function offerTo(peer, iceRestart) {
    var entry = iceRestart ? pcs.get(peer) : null;
    if (!entry) {
      entry = newPeer(peer);
      var stream = localStream || new MediaStream();
      var audio = entry.pc.addTransceiver(track("audio") || "audio", { direction: "sendrecv", streams: [stream] });
      var video = entry.pc.addTransceiver(track("video") || "video", { direction: "sendrecv", streams: [stream] });
      var floor = entry.pc.addTransceiver("audio", { direction: "sendonly" });
      entry.tx = [audio, video, floor];
      var c = rooms.get(peer);
      if (c && c.mode === "audio") video.sender.replaceTrack(null);
      entry.pc.ontrack = function (e) {
        var s = remoteStreams.get(peer);
        if (!s) { s = new MediaStream(); remoteStreams.set(peer, s); }
        s.addTrack(e.track);
        renderTiles();
        if (floorPeer === peer) applyFloor();
      };
      if (floorPeer && floorPeer !== peer) applyFloorTo(peer, entry);
    }
    var pc = entry.pc;
    return pc.createOffer(iceRestart ? { iceRestart: true } : {}).then(function (offer) {
      return pc.setLocalDescription(offer);
    }).then(function () {
      send({ type: "signal", to: peer, description: { type: "offer", sdp: pc.localDescription.sdp } });
    }).catch(function (err) { showError(String(err)); });
  }

  function onSignal(ev) {
    if (ev.description && ev.description.type === "offer") return acceptOffer(ev.from, ev.description);
    var entry = pcs.get(ev.from);
    if (!entry) return;
    if (ev.description && ev.description.type === "answer") {
      return entry.pc.setRemoteDescription(ev.description).then(function () {
        flush(entry);
      }).catch(function (err) { showError(String(err)); });
    }
    if (ev.candidate) {
      if (entry.pc.remoteDescription) return entry.pc.addIceCandidate(ev.candidate).catch(function () {});
      entry.queue.push(ev.candidate);
    }
  }

  function flush(entry) {
    var queued = entry.queue.splice(0);
    queued.forEach(function (c) { entry.pc.addIceCandidate(c).catch(function () {}); });
  }

  function acceptOffer(from, description) {
    return getLocal().then(function () {
      var entry = pcs.get(from);
      // A restart offer (same connection) keeps the connection; a new one replaces it.
      if (!entry || entry.pc.signalingState === "closed" || !sameSession(entry, description)) {
        entry = newPeer(from);
        var masterStream = new MediaStream();
        var video = $("live-master");
        var floorEl = $("live-floor");
        entry.pc.ontrack = function (e) {
          var tx = entry.pc.getTransceivers();
          if (tx.length > 2 && e.transceiver === tx[2]) {
            if (floorEl) floorEl.srcObject = new MediaStream([e.track]);
            return;
          }
          masterStream.addTrack(e.track);
          if (video && video.srcObject !== masterStream) video.srcObject = masterStream;
        };
      }
      entry.session = sessionId(description.sdp);
      var pc = entry.pc;
      return pc.setRemoteDescription(description).then(function () {
        var tx = pc.getTransceivers();
        if (tx[0]) { tx[0].direction = "sendrecv"; tx[0].sender.replaceTrack(track("audio")); }
        if (tx[1]) { tx[1].direction = "sendrecv"; tx[1].sender.replaceTrack(mode === "audio" ? null : track("video")); }
        entry.tx = tx;
        return pc.createAnswer();
      }).then(function (answer) {
        return pc.setLocalDescription(answer);
      }).then(function () {
        send({ type: "signal", to: from, description: { type: "answer", sdp: pc.localDescription.sdp } });
        flush(entry);
      });
    }).catch(function (err) { showError(String(err)); });
  }

  function sessionId(sdp) {
    var m = /^o=\S+ (\d+)/m.exec(sdp || "");
    return m ? m[1] : "";
  }

  function sameSession(entry, description) {
    return entry.session && entry.session === sessionId(description.sdp);
  }

  // --- The floor: one classroom's audio brought in for every room --------------------------

  function floorTrack() {
    var s = floorPeer && remoteStreams.get(floorPeer);
    return s ? (s.getAudioTracks()[0] || null) : null;
  }

  function applyFloorTo(peer, entry) {
    if (!entry.tx || !entry.tx[2]) return;
    entry.tx[2].sender.replaceTrack(peer === floorPeer ? null : floorTrack()).catch(function () {});
  }

  function applyFloor() {
    pcs.forEach(function (entry, peer) { applyFloorTo(peer, entry); });
    renderTiles();
  }

  function setFloor(peer) {
    floorPeer = peer;
    if (sfu && role === "classroom") {
      closePeer("floor");
      send({ type: "sfu.leave", link: "floor" });
      if (peer && peer !== cfg.peer) send({ type: "sfu.subscribe", link: "floor", peer: peer });
    }
    if (role === "master" && !sfu) applyFloor();
    else renderTiles();
  }

  // --- The SFU path: publish to Janus, subscribe to the feeds this page shows --------------

  function publish() {
    var entry = newPeer("pub");
    var stream = localStream || new MediaStream();
    var audio = entry.pc.addTransceiver(track("audio") || "audio", { direction: "sendonly", streams: [stream] });
    var video = entry.pc.addTransceiver(track("video") || "video", { direction: "sendonly", streams: [stream] });
    entry.tx = [audio, video];
    if (role === "classroom" && mode === "audio") video.sender.replaceTrack(null);
    var pc = entry.pc;
    return pc.createOffer().then(function (offer) {
      return pc.setLocalDescription(offer);
    }).then(function () {
      send({ type: "sfu.publish", description: { type: "offer", sdp: pc.localDescription.sdp } });
    }).catch(function (err) { showError(String(err)); });
  }

  function wantFeed(peer) {
    if (!peer || peer === cfg.peer) return;
    if (role === "master" && peer.charAt(0) === "c") send({ type: "sfu.subscribe", link: peer, peer: peer });
    if (role === "classroom" && peer === "master") send({ type: "sfu.subscribe", link: "master", peer: "master" });
    if (role === "classroom" && peer === floorPeer) send({ type: "sfu.subscribe", link: "floor", peer: peer });
  }

  function sfuAnswer(ev) {
    var entry = pcs.get(ev.link);
    if (!entry) return;
    return entry.pc.setRemoteDescription(ev.description).then(function () { flush(entry); })
      .catch(function (err) { showError(String(err)); });
  }

  function sfuOffer(ev) {
    var link = ev.link;
    var entry = newPeer(link);
    entry.feed = ev.peer;
    var pc = entry.pc;
    var masterStream = new MediaStream();
    pc.ontrack = function (e) {
      if (link === "floor") {
        if (e.track.kind === "audio" && $("live-floor")) $("live-floor").srcObject = new MediaStream([e.track]);
        return;
      }
      if (role === "master") {
        var s = remoteStreams.get(link);
        if (!s) { s = new MediaStream(); remoteStreams.set(link, s); }
        s.addTrack(e.track);
        renderTiles();
        return;
      }
      masterStream.addTrack(e.track);
      var video = $("live-master");
      if (video && video.srcObject !== masterStream) video.srcObject = masterStream;
    };
    return pc.setRemoteDescription(ev.description).then(function () {
      return pc.createAnswer();
    }).then(function (answer) {
      return pc.setLocalDescription(answer);
    }).then(function () {
      send({ type: "sfu.answer", link: link, description: { type: "answer", sdp: pc.localDescription.sdp } });
      flush(entry);
    }).catch(function (err) { showError(String(err)); });
  }

  // --- Weak links: audio plus slides ------------------------------------------------------

  function renderMode() {
    var btn = $("live-mode");
    if (btn) btn.textContent = mode === "audio" ? T.to_video : T.to_audio;
    var slide = $("live-slide");
    var video = $("live-master");
    if (slide) slide.classList.toggle("live-hidden", mode !== "audio");
    if (video) video.classList.toggle("live-hidden", mode === "audio");
    var room = $("live-room");
    if (room) room.dataset.mode = mode;
  }

  function switchMode(next, reason) {
    if (next === mode) return;
    mode = next;
    renderMode();
    var entry = pcs.get(sfu ? "pub" : "master");
    if (entry && entry.tx && entry.tx[1]) {
      entry.tx[1].sender.replaceTrack(mode === "audio" ? null : track("video")).catch(function () {});
    }
    send({ type: "mode", mode: mode });
    if (reason) showError(reason);
  }

  function modeChanged(peer, m) {
    var c = rooms.get(peer);
    if (c) { c.mode = m; renderTiles(); }
    if (role === "master" && !sfu) {
      var entry = pcs.get(peer);
      if (entry && entry.tx && entry.tx[1]) {
        entry.tx[1].sender.replaceTrack(m === "audio" ? null : track("video")).catch(function () {});
      }
    }
  }

  function showSlide(image) {
    var slide = $("live-slide");
    if (slide && typeof image === "string" && image.indexOf("data:image/jpeg;base64,") === 0) slide.src = image;
  }

  // The master sends stills of what it shows to rooms in audio mode, every 5 seconds.
  var canvas = null;
  function sendSlides() {
    if (role !== "master") return;
    var audioRooms = Array.from(rooms.values()).some(function (c) { return c.online && c.mode === "audio"; });
    var video = $("live-self");
    if (!audioRooms || !video || !video.videoWidth) return;
    canvas = canvas || document.createElement("canvas");
    var w = Math.min(640, video.videoWidth);
    canvas.width = w;
    canvas.height = Math.round(video.videoHeight * w / video.videoWidth);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    send({ type: "slide", image: canvas.toDataURL("image/jpeg", 0.6) });
  }
  setInterval(sendSlides, 5000);

  // A classroom watches its incoming video: 3 bad samples in a row (2 s apart) of stalled
  // frames or more than 8 % packet loss switch it to audio plus slides.
  function watchLink() {
    if (role !== "classroom" || mode !== "video") return;
    var entry = pcs.get("master");
    if (!entry || entry.pc.connectionState !== "connected") return;
    entry.pc.getStats().then(function (stats) {
      var inbound = null;
      stats.forEach(function (r) { if (r.type === "inbound-rtp" && r.kind === "video") inbound = r; });
      if (!inbound) return;
      var bad = false;
      if (lastInbound) {
        var frames = (inbound.framesDecoded || 0) - (lastInbound.framesDecoded || 0);
        var lost = (inbound.packetsLost || 0) - (lastInbound.packetsLost || 0);
        var got = (inbound.packetsReceived || 0) - (lastInbound.packetsReceived || 0);
        bad = frames === 0 || (got + lost > 0 && lost / (got + lost) > 0.08);
      }
      lastInbound = inbound;
      weakSamples = bad ? weakSamples + 1 : 0;
      if (weakSamples >= 3) { weakSamples = 0; lastInbound = null; switchMode("audio", T.weak_link); }
    }).catch(function () {});
  }
  setInterval(watchLink, 2000);

  // --- Tiles (the master and observers) ----------------------------------------------------

  function renderTiles() {
    var box = $("live-tiles");
    if (!box) return;
    rooms.forEach(function (c, peer) {
      var tile = box.querySelector('[data-peer="' + peer + '"]');
      if (!tile) {
        tile = el("div", "live-tile card");
        tile.dataset.peer = peer;
        tile.dataset.testid = "tile";
        tile.setAttribute("data-testid", "tile");
        if (role === "master") {
          var v = el("video", "live-tile-video");
          v.autoplay = true; v.playsInline = true; v.muted = true;
          tile.appendChild(v);
        }
        tile.appendChild(el("p", "live-tile-label"));
        tile.appendChild(el("p", "live-tile-state muted small"));
        if (role === "master") {
          var b = el("button", "secondary live-tile-floor");
          b.type = "button";
          b.addEventListener("click", function () {
            send({ type: "floor", peer: floorPeer === peer ? null : peer });
          });
          tile.appendChild(b);
        }
        box.appendChild(tile);
      }
      tile.querySelector(".live-tile-label").textContent = c.label;
      var bits = [c.online ? T.connected : T.offline, c.mode === "audio" ? T.audio_mode : T.video_mode];
      if (c.students_present !== null && c.students_present !== undefined) bits.push(c.students_present + " " + T.students);
      if (floorPeer === peer) bits.push(T.on_floor);
      tile.querySelector(".live-tile-state").textContent = bits.join(" · ");
      tile.classList.toggle("offline", !c.online);
      tile.dataset.mode = c.mode || "video";
      tile.classList.toggle("floor", floorPeer === peer);
      var video = tile.querySelector("video");
      var stream = remoteStreams.get(peer);
      if (video && stream && video.srcObject !== stream) video.srcObject = stream;
      if (video) video.muted = floorPeer !== peer;
      var btn = tile.querySelector(".live-tile-floor");
      if (btn) { btn.textContent = floorPeer === peer ? T.mute_in : T.bring_in; btn.disabled = !c.online; }
    });
  }

  function headcount(peer, count) {
    var c = rooms.get(peer);
    if (c) { c.students_present = count; renderTiles(); }
  }

  // --- Messages ---------------------------------------------------------------------------

  function addMessage(m) {
    var list = $("live-messages");
    if (!list) return;
    var li = el("li", "live-msg " + m.kind + (m.resolved ? " resolved" : ""));
    li.dataset.id = m.id;
    li.appendChild(el("span", "muted small", m.at + " "));
    li.appendChild(el("strong", "", m.from));
    if (m.kind === "hand") li.appendChild(el("span", "", " ✋ " + T.hand));
    else li.appendChild(el("span", "", (m.kind === "question" ? " " + T.question + ": " : ": ") + m.text));
    var mine = role === "classroom" && m.kind === "hand" && m.peer === cfg.peer;
    if (!m.resolved && m.kind !== "chat" && (role === "master" || mine)) {
      var b = el("button", "link", T.resolve);
      b.type = "button";
      b.addEventListener("click", function () { send({ type: "resolve", id: m.id }); });
      li.appendChild(b);
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }

  function resolved(id) {
    var li = document.querySelector('.live-msg[data-id="' + id + '"]');
    if (!li) return;
    li.classList.add("resolved");
    var b = li.querySelector("button");
    if (b) b.remove();
  }

  var say = $("live-say");
  if (say) {
    say.addEventListener("submit", function (e) {
      e.preventDefault();
      var kind = (e.submitter && e.submitter.value) || "chat";
      var input = say.querySelector("input[name=text]");
      var text = input.value.trim();
      if (!text) return;
      if (send({ type: kind, text: text })) input.value = "";
    });
  }
  var hand = $("live-hand");
  if (hand) hand.addEventListener("click", function () { send({ type: "hand" }); });
  var modeBtn = $("live-mode");
  if (modeBtn) modeBtn.addEventListener("click", function () { switchMode(mode === "audio" ? "video" : "audio"); });
  var count = $("live-headcount");
  if (count) {
    count.addEventListener("change", function () {
      var n = parseInt(count.value, 10);
      if (!isNaN(n)) send({ type: "headcount", count: n });
    });
  }

  // --- Quiz -------------------------------------------------------------------------------

  function quizNote(text) { var n = $("live-quiz-note"); if (n) n.textContent = text; }

  function quizReceived(ev) {
    quizNote(T.your_answer_sent);
    if (role !== "student") return;
    document.querySelectorAll("#live-quiz-choices li").forEach(function (li, i) {
      li.classList.toggle("chosen", (ev.counts[i] || 0) > 0);
    });
  }

  function showQuiz(q) {
    quiz = { id: q.id, choices: q.choices, prompt: q.prompt };
    var box = $("live-quiz-open");
    if (!box) return;
    box.classList.remove("live-hidden");
    box.dataset.quiz = q.id;
    $("live-quiz-prompt").textContent = q.prompt;
    var list = $("live-quiz-choices");
    list.textContent = "";
    q.choices.forEach(function (text, i) {
      var li = el("li", "live-choice");
      li.appendChild(el("span", "", text));
      if (role === "classroom") {
        var input = el("input");
        input.type = "number"; input.min = "0"; input.max = "500"; input.value = q.mine ? q.mine[i] : "0";
        input.dataset.choice = i;
        input.setAttribute("aria-label", text);
        li.appendChild(input);
      } else if (role === "student") {
        var b = el("button", "secondary", String.fromCharCode(65 + i));
        b.type = "button";
        b.dataset.choice = i;
        b.addEventListener("click", function () { send({ type: "quiz.answer", quiz: quiz.id, choice: i }); });
        li.appendChild(b);
      }
      list.appendChild(li);
    });
    quizNote(q.status === "closed" ? T.quiz_closed : "");
    var send_ = $("live-quiz-send");
    if (send_) send_.disabled = q.status === "closed";
  }

  function quizState(q) {
    showQuiz(q);
    var table = $("live-totals");
    if (!table) return;
    table.classList.remove("live-hidden");
    table.dataset.quiz = q.id;
    table.querySelector("tbody").textContent = "";
    (q.rooms || []).forEach(function (r) { quizTotals(q.id, r); });
    var closeBtn = $("live-quiz-close");
    if (closeBtn) closeBtn.disabled = q.status === "closed";
  }

  function quizTotals(quizId, r) {
    var table = $("live-totals");
    if (!table || String(table.dataset.quiz) !== String(quizId)) return;
    var body = table.querySelector("tbody");
    var row = body.querySelector('tr[data-peer="' + r.peer + '"]');
    if (!row) {
      row = el("tr");
      row.dataset.peer = r.peer;
      row.setAttribute("data-testid", "totals-row");
      var c = rooms.get(r.peer);
      row.appendChild(el("td", "", c ? c.label : r.peer));
      row.appendChild(el("td", "num"));
      row.appendChild(el("td", "num"));
      row.appendChild(el("td", "small"));
      body.appendChild(row);
    }
    row.children[1].textContent = r.answered;
    row.children[2].textContent = r.correct;
    row.children[3].textContent = r.counts.map(function (n, i) { return String.fromCharCode(65 + i) + " " + n; }).join(" · ");
    row.dataset.answered = r.answered;
    row.dataset.correct = r.correct;
    var answered = 0, right = 0;
    body.querySelectorAll("tr").forEach(function (tr) {
      answered += parseInt(tr.dataset.answered || "0", 10);
      right += parseInt(tr.dataset.correct || "0", 10);
    });
    table.dataset.answered = answered;
    table.dataset.correct = right;
    quizNote(T.total + ": " + right + "/" + answered + " " + T.correct);
  }

  function quizClosed(ev) {
    var list = $("live-quiz-choices");
    if (list) {
      Array.prototype.forEach.call(list.children, function (li, i) { li.classList.toggle("right", i === ev.correct); });
    }
    quizNote(T.quiz_closed + " · " + T.right_answer + ": " + String.fromCharCode(65 + ev.correct) +
      " · " + ev.right + "/" + ev.answered + " " + T.correct);
    var s = $("live-quiz-send"); if (s) s.disabled = true;
    var c = $("live-quiz-close"); if (c) c.disabled = true;
    var box = $("live-quiz-open"); if (box) box.dataset.closed = "1";
  }

  var quizForm = $("live-quiz-form");
  if (quizForm) {
    quizForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var item = quizForm.elements.item.value;
      if (item) { send({ type: "quiz.push", item: parseInt(item, 10) }); return; }
      var choices = quizForm.elements.choices.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      send({
        type: "quiz.push",
        prompt: quizForm.elements.prompt.value,
        choices: choices,
        correct: parseInt(quizForm.elements.correct.value, 10) - 1
      });
    });
  }
  var quizSend = $("live-quiz-send");
  if (quizSend) {
    quizSend.addEventListener("click", function () {
      if (!quiz) return;
      var counts = Array.prototype.map.call(document.querySelectorAll("#live-quiz-choices input"), function (i) {
        return Math.max(0, parseInt(i.value || "0", 10) || 0);
      });
      send({ type: "quiz.answer", quiz: quiz.id, counts: counts });
    });
  }
  var quizClose = $("live-quiz-close");
  if (quizClose) quizClose.addEventListener("click", function () { if (quiz) send({ type: "quiz.close", quiz: quiz.id }); });

  // --- Master controls: microphone, camera, screen, recording, end -------------------------

  function toggle(kind, btn) {
    var t = track(kind);
    if (!t) return;
    t.enabled = !t.enabled;
    btn.classList.toggle("off", !t.enabled);
  }
  var mic = $("live-mic");
  if (mic) mic.addEventListener("click", function () { toggle("audio", mic); });
  var cam = $("live-cam");
  if (cam) cam.addEventListener("click", function () { toggle("video", cam); });
  var screenBtn = $("live-screen");
  if (screenBtn && navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia) {
    screenBtn.addEventListener("click", function () {
      navigator.mediaDevices.getDisplayMedia({ video: true }).then(function (display) {
        var screenTrack = display.getVideoTracks()[0];
        var camTrack = track("video");
        var use = function (t) {
          pcs.forEach(function (entry, peer) {
            var c = rooms.get(peer);
            if (entry.tx && entry.tx[1] && !(c && c.mode === "audio")) entry.tx[1].sender.replaceTrack(t);
          });
          var self = $("live-self");
          if (self) self.srcObject = new MediaStream([t].concat(localStream ? localStream.getAudioTracks() : []));
        };
        use(screenTrack);
        screenTrack.addEventListener("ended", function () { use(camTrack); });
      }).catch(function (err) { showError(String(err)); });
    });
  }

  var recorder = null;
  var recSeq = 0;
  var recQueue = [];
  var recBusy = false;
  var recBytes = 0;
  var recFinishing = false;

  function recState(text) { var s = $("live-record-state"); if (s) s.textContent = text; }

  function pump() {
    if (recBusy) return;
    if (!recQueue.length) {
      if (recFinishing) finishRecording();
      return;
    }
    recBusy = true;
    var blob = recQueue[0];
    fetch(cfg.record + recSeq + "/", {
      method: "POST",
      body: blob,
      credentials: "same-origin",
      headers: { "X-CSRFToken": cfg.csrf, "Content-Type": "application/octet-stream" }
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      recBusy = false;
      if (!res.ok) {
        if (res.body && res.body.detail && typeof res.body.detail.expected === "number") {
          recSeq = res.body.detail.expected;
        } else {
          recState(T.recording_failed + " " + (res.body.message || ""));
          recQueue = [];
          return;
        }
      } else {
        recQueue.shift();
        recBytes += blob.size;
        recSeq = res.body.next;
        recState(T.recording + " · " + Math.round(recBytes / 1024) + " KB");
      }
      pump();
    }).catch(function () {
      recBusy = false;
      setTimeout(pump, 2000); // the network dropped: try the same chunk again
    });
  }

  function finishRecording() {
    recFinishing = false;
    fetch(cfg.record_finish, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": cfg.csrf }
    }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        recState(res.ok ? T.recording_saved : T.recording_failed + " " + res.body.message);
        var s = $("live-record-state");
        if (s && res.ok) s.dataset.resource = res.body.resource;
      }).catch(function () { recState(T.recording_failed); });
  }

  function stopRecording() {
    if (!recorder) return;
    var r = recorder;
    recorder = null;
    recFinishing = true;
    r.addEventListener("stop", function () { setTimeout(pump, 0); });
    r.stop();
    var btn = $("live-record");
    if (btn) btn.disabled = true;
  }

  var recBtn = $("live-record");
  if (recBtn && window.MediaRecorder) {
    recBtn.addEventListener("click", function () {
      if (recorder) { stopRecording(); return; }
      getLocal().then(function (stream) {
        var type = ["video/webm;codecs=vp8,opus", "video/webm"].filter(function (t) {
          return MediaRecorder.isTypeSupported(t);
        })[0];
        recorder = new MediaRecorder(stream, type ? { mimeType: type, videoBitsPerSecond: 1000000 } : {});
        recorder.ondataavailable = function (e) {
          if (e.data && e.data.size) { recQueue.push(e.data); pump(); }
        };
        recorder.start(4000);
        recBtn.dataset.on = "1";
        recBtn.textContent = recBtn.dataset.stopLabel || "■";
        recState(T.recording);
      });
    });
  }

  var endBtn = $("live-end");
  if (endBtn) endBtn.addEventListener("click", function () { stopRecording(); send({ type: "end" }); });

  function endedRoom() {
    ended = true;
    setStatus(T.ended, "ended");
    stopRecording();
    closeAll();
  }

  // --- For tests and diagnostics: decoded video frames per connection ---------------------

  window.tongkeLive = {
    framesDecoded: function (peer) {
      var entry = pcs.get(peer);
      if (!entry) return Promise.resolve(0);
      return entry.pc.getStats().then(function (stats) {
        var n = 0;
        stats.forEach(function (r) { if (r.type === "inbound-rtp" && r.kind === "video") n += r.framesDecoded || 0; });
        return n;
      });
    },
    floorBytes: function () {
      // Audio received on the floor (a classroom the master brought in): the third m-line
      // peer to peer, its own subscription through an SFU.
      var entry = pcs.get(sfu ? "floor" : "master");
      if (!entry) return Promise.resolve(0);
      var tx = entry.pc.getTransceivers();
      var floorMid = sfu ? null : (tx[2] && tx[2].mid);
      return entry.pc.getStats().then(function (stats) {
        var n = 0;
        stats.forEach(function (r) {
          if (r.type === "inbound-rtp" && r.kind === "audio" && (floorMid === null || r.mid === floorMid)) n += r.bytesReceived || 0;
        });
        return n;
      });
    },
    peers: function () { return Array.from(pcs.keys()).filter(function (k) { return k !== "pub" && k !== "floor"; }); },
    sfu: function () { return sfu; },
    mode: function () { return mode; },
    socket: function () { return ws; }
  };

  if (recBtn) recBtn.dataset.stopLabel = recBtn.getAttribute("data-stop") || "■";
  getLocal();
  connect();
})();
