// @generated in the shape of `diesel print-schema`, kept by hand to the types
// that SQLite and PostgreSQL share (see DEPENDENCIES.md on MultiConnection).

diesel::table! {
    site (id) {
        id -> Integer,
        name -> Text,
        location -> Text,
        description -> Text,
        base_url -> Text,
        updated_at -> Timestamp,
        version -> Integer,
        disclaimer_markdown -> Text,
        disclaimer_html -> Text,
        review_interval_months -> Integer,
        require_review -> Bool,
        preview_url -> Text,
        article_path -> Text,
        tag_path -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        disabled -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        avatar_id -> Nullable<Integer>,
    }
}

diesel::table! {
    articles (id) {
        id -> Integer,
        slug -> Text,
        title -> Text,
        excerpt -> Text,
        body_markdown -> Text,
        body_html -> Text,
        body_blocks -> Text,
        body_text -> Text,
        reading_time_minutes -> Integer,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        author_id -> Nullable<Integer>,
        seo_title -> Nullable<Text>,
        seo_description -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
        version -> Integer,
        created_by -> Nullable<Integer>,
        updated_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        cover_id -> Nullable<Integer>,
        review_state -> Text,
        approved_version -> Nullable<Integer>,
        review_note -> Text,
        reviewed_by -> Nullable<Integer>,
        last_reviewed -> Nullable<Date>,
        next_review_due -> Nullable<Date>,
        announced -> Bool,
    }
}

diesel::table! {
    tags (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Integer>,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    massage_types (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        best_for -> Text,
        benefits -> Text,
        description -> Text,
        position -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Integer>,
        updated_by -> Nullable<Integer>,
        image_id -> Nullable<Integer>,
    }
}

diesel::table! {
    treatments (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        benefits -> Text,
        limitations -> Text,
        position -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Integer>,
        updated_by -> Nullable<Integer>,
        image_id -> Nullable<Integer>,
    }
}

diesel::table! {
    faqs (id) {
        id -> Integer,
        article_id -> Nullable<Integer>,
        question -> Text,
        answer_markdown -> Text,
        answer_html -> Text,
        position -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Integer>,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> Integer,
        tag_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    article_massage_types (article_id, massage_type_id) {
        article_id -> Integer,
        massage_type_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    article_treatments (article_id, treatment_id) {
        article_id -> Integer,
        treatment_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    article_related (article_id, related_id) {
        article_id -> Integer,
        related_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        family -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_revisions (id) {
        id -> Integer,
        article_id -> Integer,
        version -> Integer,
        snapshot -> Text,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    activity (id) {
        id -> Integer,
        user_id -> Nullable<Integer>,
        action -> Text,
        item_type -> Text,
        item_id -> Integer,
        item_label -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    changes (id) {
        id -> BigInt,
        kind -> Text,
        item_id -> Nullable<Integer>,
        action -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    article_documents (article_id) {
        article_id -> Integer,
        rendered_at -> Timestamp,
        etag -> Text,
        body -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Integer,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    media (id) {
        id -> Integer,
        hash -> Text,
        format -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> BigInt,
        animated -> Bool,
        filename -> Text,
        alt -> Text,
        decorative -> Bool,
        caption -> Text,
        credit -> Text,
        focal_x -> Double,
        focal_y -> Double,
        public -> Bool,
        version -> Integer,
        created_by -> Nullable<Integer>,
        updated_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    article_media (article_id, media_id) {
        article_id -> Integer,
        media_id -> Integer,
    }
}

diesel::table! {
    app_meta (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    people (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        credentials -> Text,
        job_title -> Text,
        bio_markdown -> Text,
        bio_html -> Text,
        bio_blocks -> Text,
        avatar_id -> Nullable<Integer>,
        same_as -> Text,
        user_id -> Nullable<Integer>,
        version -> Integer,
        created_by -> Nullable<Integer>,
        updated_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    article_people (article_id, person_id) {
        article_id -> Integer,
        person_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    article_references (article_id, position) {
        article_id -> Integer,
        position -> Integer,
        title -> Text,
        url -> Text,
        publisher -> Text,
        published -> Nullable<Date>,
        doi -> Nullable<Text>,
        pmid -> Nullable<Text>,
    }
}

diesel::table! {
    review_steps (id) {
        id -> Integer,
        article_id -> Integer,
        step -> Text,
        version -> Integer,
        user_id -> Nullable<Integer>,
        reviewer_id -> Nullable<Integer>,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    preview_tokens (id) {
        id -> Text,
        article_id -> Integer,
        version -> Nullable<Integer>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Integer,
        url -> Text,
        description -> Text,
        events -> Text,
        enabled -> Bool,
        disabled_reason -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_until -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        lease_until -> Nullable<Timestamp>,
        leased_by -> Nullable<Text>,
        version -> Integer,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> BigInt,
        event_type -> Text,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> Integer,
        event_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_status -> Nullable<Integer>,
        last_error -> Text,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        request_headers -> Text,
        response_status -> Nullable<Integer>,
        response_excerpt -> Text,
        duration_ms -> Integer,
        error -> Text,
    }
}

diesel::table! {
    slug_history (slug) {
        slug -> Text,
        article_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    redirects (id) {
        id -> Integer,
        from_path -> Text,
        to_path -> Text,
        status_code -> Integer,
        version -> Integer,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(slug_history -> articles (article_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(articles -> users (author_id));
diesel::joinable!(article_people -> articles (article_id));
diesel::joinable!(article_people -> people (person_id));
diesel::joinable!(article_references -> articles (article_id));
diesel::joinable!(review_steps -> articles (article_id));
diesel::joinable!(preview_tokens -> articles (article_id));
diesel::joinable!(article_documents -> articles (article_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(faqs -> articles (article_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(article_massage_types -> articles (article_id));
diesel::joinable!(article_massage_types -> massage_types (massage_type_id));
diesel::joinable!(article_treatments -> articles (article_id));
diesel::joinable!(article_treatments -> treatments (treatment_id));
diesel::joinable!(article_media -> articles (article_id));
diesel::joinable!(article_media -> media (media_id));

diesel::allow_tables_to_appear_in_same_query!(
    site,
    users,
    articles,
    tags,
    massage_types,
    treatments,
    faqs,
    article_tags,
    article_massage_types,
    article_treatments,
    article_related,
    refresh_tokens,
    article_revisions,
    activity,
    changes,
    article_documents,
    sessions,
    app_meta,
    media,
    article_media,
    people,
    article_people,
    article_references,
    review_steps,
    preview_tokens,
    webhook_endpoints,
    webhook_events,
    webhook_deliveries,
    webhook_attempts,
    slug_history,
    redirects,
);
