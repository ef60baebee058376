/* The sign-in page (after signing out or an expired session): drop the copies of 我的检查 pages the phone's Service
 * Worker kept, so the next person using this phone cannot open them offline. Drafts stay: they are kept per user in
 * IndexedDB and sent when their owner signs in again (ADR 0023, 0027). */
(function () {
  "use strict";
  if (window.caches) window.caches.delete("ssj-phone-pages").catch(function () {});
})();
