/* Photos for the phone pages: shrink a chosen or taken photo on the phone (long side 1600 px,
 * JPEG; the canvas keeps no EXIF), and queue it in the outbox after its record: each photo its own
 * multipart item (its own client_id), then one PATCH that waits for the record and the photos and
 * adds them (and any details) to it. The record is never held back by its photos. */
(function (window, document) {
  "use strict";
  var MAX_SIDE = 1600, JPEG_QUALITY = 0.8;

  function bitmap(file) {
    if (window.createImageBitmap) {
      return window.createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
        return window.createImageBitmap(file);
      });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("unreadable")); };
      img.src = url;
    });
  }

  /** A data: URL of the photo as a JPEG at most MAX_SIDE px on its long side. */
  function shrink(file) {
    return bitmap(file).then(function (image) {
      var w = image.width, h = image.height, scale = Math.min(1, MAX_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return canvas.toDataURL("image/jpeg", JPEG_QUALITY);
    });
  }

  /** A photo item's body: its own client_id, the shrunk file. */
  function item(dataUrl) {
    return { client_id: window.Outbox.uuid(), file: dataUrl, name: "photo.jpg" };
  }

  /** Queue `photos` to `photosUrl`, then a PATCH of `recordUrl` (with {record}) adding them and
   * `extra` to the record whose client_id is `record`. */
  function addTo(photosUrl, recordUrl, record, photos, extra) {
    var chain = Promise.resolve();
    photos.forEach(function (photo) {
      chain = chain.then(function () { return window.Outbox.send(photosUrl, photo, { form: true }); });
    });
    return chain.then(function () {
      var changes = Object.assign({}, extra || {});
      if (!photos.length && !Object.keys(changes).length) return null;
      var needs = { record: record, photos: photos.map(function (p) { return p.client_id; }) };
      return window.Outbox.send(recordUrl, changes, { method: "PATCH", needs: needs });
    });
  }

  window.EvidencePhoto = { shrink: shrink, item: item, addTo: addTo };
})(window, document);
