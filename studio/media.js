// The media library in a dialog: search, upload with progress (alt text
// required unless the image is decorative), a focal point picked on the
// image; resolves to the chosen item, or null.

import * as api from "./api.js";
import { h, mount, field, debounce } from "./dom.js";

/** An image URL an <img> can show: editors' unpublished files need the token. */
export async function imageSrc(url) {
  return api.authorizedBlobUrl(url);
}

/** Shows every /media/ image of `root` through the editor's token (drafts' images are private). */
export async function showPrivateImages(root) {
  for (const source of root.querySelectorAll("picture source")) source.remove();
  await Promise.all(
    [...root.querySelectorAll("img")].map(async (img) => {
      const src = img.getAttribute("src") || "";
      if (!src.startsWith("/media/")) return;
      img.removeAttribute("srcset");
      const blob = await imageSrc(src).catch(() => null);
      if (blob) img.src = blob;
    }),
  );
}

export function pickImage(title = "Choose an image") {
  return new Promise((resolve) => {
    const dialog = h("dialog.media", { "aria-labelledby": "media-title" });
    const grid = h("ul.media-grid", { "aria-label": "Images" });
    const search = h("input", { type: "search", name: "q", placeholder: "filename, alt text" });
    const done = (item) => {
      dialog.close();
      resolve(item);
    };
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(null);
    });

    const list = debounce(async () => {
      const query = new URLSearchParams({ per_page: "24" });
      if (search.value.trim()) query.set("q", search.value.trim());
      const { data } = await api.get(`/admin/media?${query}`);
      mount(
        grid,
        data.length
          ? data.map((item) => {
              const img = h("img", { alt: "", width: 120, height: 90, loading: "lazy" });
              imageSrc(item.image?.src || item.url).then((src) => (img.src = src)).catch(() => {});
              return h(
                "li",
                {},
                h("button.pick", { type: "button", onclick: () => focus(item) }, img, h("span", {}, item.alt || (item.decorative ? "(decorative)" : `${item.filename} — no alt text`))),
              );
            })
          : h("li.muted", {}, "No image matches."),
      );
    }, 250);
    search.addEventListener("input", list);

    // Upload: alt text, or marked decorative, before the file goes.
    const file = h("input", { type: "file", name: "file", accept: "image/*", required: true });
    const alt = h("input", { name: "alt", maxlength: 1000 });
    const decorative = h("input", { type: "checkbox", name: "decorative" });
    const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": "Upload progress" });
    const error = h("p.error", { role: "alert" });
    const form = h(
      "form.upload",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          error.textContent = "";
          if (!file.files[0]) return file.focus();
          if (!alt.value.trim() && !decorative.checked) {
            error.textContent = "Describe the image (alt text), or mark it decorative.";
            return alt.focus();
          }
          progress.hidden = false;
          try {
            const fields = decorative.checked ? { decorative: "true" } : { alt: alt.value.trim() };
            const item = await api.upload(file.files[0], fields, (p) => (progress.value = p));
            list.flush();
            focus(item);
          } catch (err) {
            error.textContent = err.message;
          } finally {
            progress.hidden = true;
          }
        },
      },
      h("h3", {}, "Upload"),
      field("Image file", file),
      field("Alt text (what the image shows)", alt),
      h("label.check", {}, decorative, " Decorative (no alt text needed)"),
      progress,
      error,
      h("button", { type: "submit" }, "Upload"),
    );

    // One image chosen: its focal point (click the image), then use it.
    const detail = h("div.media-detail");
    async function focus(item) {
      const img = h("img", { alt: item.alt || "", class: "focal" });
      imageSrc(item.image?.src || item.url).then((src) => (img.src = src)).catch(() => {});
      const marker = h("span.marker", { "aria-hidden": "true" });
      const point = { ...(item.focal_point || { x: 0.5, y: 0.5 }) };
      const place = () => {
        marker.style.left = `${point.x * 100}%`;
        marker.style.top = `${point.y * 100}%`;
      };
      const x = h("input", { type: "number", min: 0, max: 1, step: 0.05, value: point.x, name: "focal_x" });
      const y = h("input", { type: "number", min: 0, max: 1, step: 0.05, value: point.y, name: "focal_y" });
      const frame = h("div.focal-frame", {
        onclick: (e) => {
          const box = img.getBoundingClientRect();
          point.x = Math.round(((e.clientX - box.left) / box.width) * 100) / 100;
          point.y = Math.round(((e.clientY - box.top) / box.height) * 100) / 100;
          x.value = point.x;
          y.value = point.y;
          place();
        },
      }, img, marker);
      for (const [input, key] of [[x, "x"], [y, "y"]])
        input.addEventListener("input", () => {
          point[key] = Math.min(1, Math.max(0, Number(input.value) || 0));
          place();
        });
      place();
      const use = async () => {
        const moved = point.x !== item.focal_point?.x || point.y !== item.focal_point?.y;
        if (moved) {
          const { data } = await api.patch(`/admin/media/${item.id}`, { focal_point: point }, `"v${item.version}"`);
          item = data;
        }
        done(item);
      };
      mount(
        detail,
        h("h3", {}, item.filename),
        h("p.muted", {}, "Click the image where it must stay in view when cropped (or type the point)."),
        frame,
        h("div.filters", {}, field("Focal point x (0–1)", x), field("Focal point y (0–1)", y)),
        h("button.primary", { type: "button", onclick: use }, "Use this image"),
      );
      detail.querySelector("button.primary").focus();
    }

    mount(
      dialog,
      h("h2#media-title", {}, title),
      h("div.media-layout", {}, h("div", {}, field("Search the library", search), grid), h("div", {}, form, detail)),
      h("div.actions", {}, h("button", { type: "button", onclick: () => done(null) }, "Cancel")),
    );
    document.body.append(dialog);
    dialog.showModal();
    search.focus();
    list.flush();
  });
}
