// An article's FAQs, edited inline: each saved on its own (debounced PATCH
// with If-Match, one at a time; a conflict is merged field by field), kept on
// this device until the server has it, reordered by buttons, added and
// deleted.

import * as api from "./api.js";
import { h, mount, field, announce, debounce } from "./dom.js";
import { chooseMerge } from "./merge.js";
import { keep, kept, keptAll, forget } from "./kept.js";

const SAVE_DELAY_MS = 1000;

export function faqPanel(article) {
  const list = h("ol.faqs");
  const orphans = h("div");
  const panel = h("section.card.faq-panel", { "aria-labelledby": "faqs-title" }, h("h2#faqs-title", {}, "FAQs"), orphans, list);
  let faqs = [];
  // Each drawn FAQ's saver: flushed before a move, a delete, an add, and when the editor is left.
  let savers = [];
  const flushAll = () => Promise.all(savers.map((s) => s.flush()));

  async function load() {
    const { data } = await api.get(`/admin/faqs?article=${encodeURIComponent(article().slug)}&per_page=100`);
    faqs = data.sort((a, b) => a.position - b.position);
    render();
    showOrphans();
  }

  function render() {
    for (const saver of savers) saver.cancel();
    savers = [];
    mount(list, faqs.map(item), h("li.add", {}, addForm()));
  }

  // Kept text of this article's FAQs that are gone (another editor deleted one): shown, to add again or discard.
  function showOrphans() {
    const gone = keptAll("faq").filter(([id, copy]) => copy.article === article().id && !faqs.some((f) => String(f.id) === id));
    mount(
      orphans,
      gone.map(([id, copy]) => {
        const text = `${copy.fields.question}\n\n${copy.fields.answer}`;
        return h(
          "div.banner",
          { role: "alert" },
          h("p", {}, "You were editing an FAQ that someone else deleted. Your text was kept on this device:"),
          h("pre.text", {}, text),
          h("button.primary", { type: "button", onclick: () => addAgain(id, copy.fields) }, "Add it again"),
          h("button", { type: "button", onclick: () => { forget("faq", id); showOrphans(); } }, "Discard it"),
        );
      }),
    );
  }

  async function addAgain(id, fields) {
    try {
      await api.post("/admin/faqs", { question: fields.question, answer: { markdown: fields.answer }, article: article().slug });
      forget("faq", id);
      announce("FAQ added again.");
      await load();
    } catch (err) {
      announce(`Not added: ${err.message}`, "error");
    }
  }

  function item(faq, index) {
    const question = h("input", { name: `faq-${faq.id}-question`, value: faq.question });
    const answer = h("textarea", { name: `faq-${faq.id}-answer`, rows: 3 });
    answer.value = faq.answer.markdown;
    const state = h("small.hint", { "aria-live": "polite" });
    const values = (f) => ({ question: f.question, answer: f.answer.markdown });
    const typed = () => ({ question: question.value, answer: answer.value });
    const same = (a, b) => a.question === b.question && a.answer === b.answer;
    // What the text in the inputs was written against (the server's copy, or a kept one's).
    let base = { ...values(faq), version: faq.version };
    let saving = null;
    let merging = false;
    const keepTyped = () => keep("faq", faq.id, { article: article().id, version: base.version, base, fields: typed() });

    /** Sends what differs from `base`, after any save under way; never while a conflict waits for a choice. */
    async function saveNow() {
      save.cancel();
      while (saving) await saving;
      if (merging) return;
      const now = typed();
      const patch = {};
      if (now.question !== base.question) patch.question = now.question;
      if (now.answer !== base.answer) patch.answer = { markdown: now.answer };
      if (!Object.keys(patch).length) return forget("faq", faq.id);
      state.textContent = "Saving…";
      saving = (async () => {
        try {
          const { data } = await api.patch(`/admin/faqs/${faq.id}`, patch, `"v${base.version}"`);
          Object.assign(faq, data);
          base = { ...values(data), version: data.version };
          // Typed on while it was sent: the copy now waits against the new version.
          if (same(typed(), base)) forget("faq", faq.id);
          else keepTyped();
          state.textContent = "Saved";
        } catch (err) {
          if (err.status === 412) {
            merging = true;
            void merge();
          } else if (err.status === 404) {
            // Deleted by someone else: the text stays on this device, offered back above the list.
            void load();
          } else state.textContent = err.status === 0 || err instanceof TypeError ? "Offline — kept on this device" : `Not saved: ${err.message}`;
        } finally {
          saving = null;
        }
      })();
      await saving;
    }
    const save = debounce(saveNow, SAVE_DELAY_MS);

    // Another editor saved this FAQ first: choose per field, then send the merge against theirs.
    async function merge() {
      state.textContent = "Someone else saved this FAQ — choose what to keep";
      let theirs;
      try {
        ({ data: theirs } = await api.get(`/admin/faqs/${faq.id}`));
      } catch (err) {
        merging = false;
        state.textContent = err.status === 404 ? "Someone else deleted this FAQ; your text is kept on this device" : `Not saved: ${err.message}`;
        if (err.status === 404) await load();
        return;
      }
      const merged = await chooseMerge({
        title: "Someone else saved this FAQ first",
        intro: "Another editor saved this question after you wrote yours. Choose what to keep; nothing is sent until you do.",
        labels: { question: "Question", answer: "Answer" },
        base,
        mine: typed(),
        theirs: values(theirs),
      });
      Object.assign(faq, theirs);
      base = { ...values(theirs), version: theirs.version };
      question.value = merged.question;
      answer.value = merged.answer;
      state.textContent = "";
      merging = false;
      if (!same(merged, base)) keepTyped();
      await saveNow();
    }

    const changed = () => {
      keepTyped();
      save();
    };
    question.addEventListener("input", changed);
    answer.addEventListener("input", changed);
    savers.push({ flush: saveNow, cancel: () => save.cancel() });

    // Text kept from a closed tab: back in the inputs, sent against the version it was written on.
    const copy = kept("faq", faq.id);
    if (copy && !same(copy.fields, values(faq))) {
      base = copy.base;
      question.value = copy.fields.question;
      answer.value = copy.fields.answer;
      state.textContent = "Restored from this device — saving";
      save();
    } else if (copy) forget("faq", faq.id);

    const move = (step) => async () => {
      const other = faqs[index + step];
      if (!other) return;
      await flushAll();
      try {
        // Moving down is moving the next one up: the server makes room and moves the rest down.
        const [moved, to] = step < 0 ? [faq, other.position] : [other, faq.position];
        await api.patch(`/admin/faqs/${moved.id}`, { position: to }, `"v${moved.version}"`);
      } catch (err) {
        announce(`Not moved: ${err.message}`, "error");
      }
      await load();
      list.querySelector(`button[data-faq="${faq.id}"][data-step="${step}"]`)?.focus();
    };
    let confirming = false;
    const remove = h("button", {
      type: "button",
      onclick: async () => {
        if (!confirming) {
          confirming = true;
          remove.textContent = "Really delete?";
          return;
        }
        await flushAll();
        try {
          await api.del(`/admin/faqs/${faq.id}`, `"v${faq.version}"`);
          forget("faq", faq.id);
          announce("FAQ deleted.");
        } catch (err) {
          announce(`Not deleted: ${err.message}`, "error");
        }
        await load();
        list.querySelector("input")?.focus();
      },
    }, "Delete");
    return h(
      "li",
      {},
      field(`Question ${index + 1}`, question),
      field(`Answer ${index + 1} (Markdown)`, answer, state),
      h(
        "div.actions",
        {},
        h("button", { type: "button", onclick: move(-1), dataset: { faq: faq.id, step: -1 }, disabled: index === 0 }, "Move up"),
        h("button", { type: "button", onclick: move(1), dataset: { faq: faq.id, step: 1 }, disabled: index === faqs.length - 1 }, "Move down"),
        remove,
      ),
    );
  }

  function addForm() {
    const question = h("input", { name: "new-faq-question" });
    const answer = h("textarea", { name: "new-faq-answer", rows: 3 });
    return h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          if (!question.value.trim()) return question.focus();
          await flushAll();
          try {
            await api.post("/admin/faqs", { question: question.value.trim(), answer: { markdown: answer.value }, article: article().slug });
            announce("FAQ added.");
            await load();
            list.querySelector("li.add input")?.focus();
          } catch (err) {
            announce(`Not added: ${err.message}`, "error");
          }
        },
      },
      h("h3", {}, "Add a question"),
      field("New question", question),
      field("New answer (Markdown)", answer),
      h("button", { type: "submit" }, "Add FAQ"),
    );
  }

  load().catch((err) => mount(list, h("li.error", {}, err.message)));
  return { el: panel, flush: flushAll };
}
