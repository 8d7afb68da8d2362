// One schema for both backends: only portable SQL types (see docs/ARCHITECTURE.md).
diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        locale -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        time_zone -> Text,
    }
}

diesel::table! {
    invites (token_hash) {
        token_hash -> Text,
        user_id -> Nullable<Text>,
        role -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        scopes -> Text,
    }
}

diesel::table! {
    openings (id) {
        id -> Text,
        slug -> Text,
        title -> Text,
        company -> Text,
        department -> Nullable<Text>,
        city -> Nullable<Text>,
        country -> Text,
        remote_policy -> Text,
        employment_type -> Text,
        salary_min -> Nullable<BigInt>,
        salary_max -> Nullable<BigInt>,
        salary_currency -> Nullable<Text>,
        salary_period -> Nullable<Text>,
        required_skills -> Text,
        nice_skills -> Text,
        language -> Text,
        description_md -> Text,
        status -> Text,
        valid_through -> Nullable<Date>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        response_target_minutes -> BigInt,
        shortlist_threshold -> BigInt,
        scorecard_criteria -> Text,
        description_html -> Text,
        description_text -> Text,
    }
}

diesel::table! {
    candidate_notes (id) {
        id -> Text,
        opening_id -> Text,
        candidate_id -> Text,
        author_id -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    scorecards (opening_id, candidate_id, reviewer_id) {
        opening_id -> Text,
        candidate_id -> Text,
        reviewer_id -> Text,
        ratings -> Text,
        comment -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    opening_managers (opening_id, user_id) {
        opening_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    privacy_notices (version) {
        version -> Text,
        text_en -> Text,
        text_fr -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    candidates (id) {
        id -> Text,
        email -> Nullable<Text>,
        name -> Text,
        phone -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        headline -> Nullable<Text>,
        location -> Nullable<Text>,
        languages -> Text,
        years_experience -> Nullable<BigInt>,
        merged_into -> Nullable<Text>,
        talent_pool_at -> Nullable<Timestamp>,
        last_action_at -> Nullable<Timestamp>,
        notice_sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        opening_id -> Text,
        candidate_id -> Text,
        submission_key -> Text,
        source -> Text,
        cv_url -> Nullable<Text>,
        cv_sha256 -> Nullable<Text>,
        cv_filename -> Nullable<Text>,
        cv_content_type -> Nullable<Text>,
        cv_size -> Nullable<BigInt>,
        message -> Nullable<Text>,
        consent_version -> Text,
        consent_language -> Text,
        consent_at -> Timestamp,
        created_at -> Timestamp,
        ingested_at -> Nullable<Timestamp>,
        talent_pool -> Bool,
        ingest_claimed_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tracked_links (code) {
        code -> Text,
        opening_id -> Text,
        channel -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    link_clicks (code, day) {
        code -> Text,
        day -> Date,
        clicks -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(opening_managers -> openings (opening_id));
diesel::joinable!(opening_managers -> users (user_id));
diesel::joinable!(applications -> openings (opening_id));
diesel::joinable!(applications -> candidates (candidate_id));
diesel::joinable!(tracked_links -> openings (opening_id));
diesel::joinable!(link_clicks -> tracked_links (code));

diesel::allow_tables_to_appear_in_same_query!(
    post_templates,
    users, invites, sessions, api_tokens, openings, opening_managers, privacy_notices, candidates, applications,
    tracked_links, link_clicks, channel_accounts, oauth_flows, deliveries, delivery_events, sign_in_failures,
    alert_subscribers, alert_sends, blob_files, candidate_identities, candidate_sources, candidate_cvs, cv_texts,
    shortlist_entries, shortlist_events, harvest_cursors, candidate_messages, sourcing_searches, skill_overrides, candidate_merges,
    candidate_notes, scorecards, review_links, notifications, notification_settings, shortlist_notices, candidate_email_templates,
    privacy_links, privacy_requests, sourcing_objections, install_settings, audit_log, purge_runs, candidate_signals, merge_proposals, retention_due, retention_dirty,
);

diesel::table! {
    post_templates (network, language) {
        network -> Text,
        language -> Text,
        source -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    channel_accounts (id) {
        id -> Text,
        network -> Text,
        name -> Text,
        config -> Text,
        secret -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        checked_at -> Nullable<Timestamp>,
        token_expires_at -> Nullable<Timestamp>,
        next_send_at -> Timestamp,
        min_interval_ms -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
        post_settings -> Nullable<Text>,
    }
}

diesel::table! {
    oauth_flows (state_hash) {
        state_hash -> Text,
        network -> Text,
        user_id -> Text,
        secret -> Text,
        config -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    deliveries (id) {
        id -> Text,
        opening_id -> Text,
        account_id -> Text,
        kind -> Text,
        sequence -> BigInt,
        parent_id -> Nullable<Text>,
        state -> Text,
        due_at -> Timestamp,
        attempts -> BigInt,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        idempotency_key -> Text,
        marker -> Text,
        payload -> Nullable<Text>,
        remote_id -> Nullable<Text>,
        remote_url -> Nullable<Text>,
        remote_ids -> Nullable<Text>,
        last_error -> Nullable<Text>,
        last_status -> Nullable<BigInt>,
        first_sent_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        repost_every_days -> Nullable<BigInt>,
        on_close -> Text,
        notified_at -> Nullable<Timestamp>,
        needs_review -> Bool,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    delivery_events (id) {
        id -> Text,
        delivery_id -> Text,
        at -> Timestamp,
        state -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::joinable!(deliveries -> openings (opening_id));
diesel::joinable!(deliveries -> channel_accounts (account_id));
diesel::joinable!(delivery_events -> deliveries (delivery_id));
diesel::joinable!(oauth_flows -> users (user_id));

diesel::table! {
    alert_subscribers (id) {
        id -> Text,
        email -> Text,
        language -> Text,
        location -> Nullable<Text>,
        skills -> Text,
        state -> Text,
        confirm_hash -> Nullable<Text>,
        confirm_expires_at -> Nullable<Timestamp>,
        confirm_sent_at -> Nullable<Timestamp>,
        unsubscribe_hash -> Text,
        unsubscribe_sealed -> Text,
        consent_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        unsubscribed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alert_sends (delivery_id, subscriber_id) {
        delivery_id -> Text,
        subscriber_id -> Text,
        state -> Text,
        detail -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(alert_sends -> deliveries (delivery_id));
diesel::joinable!(alert_sends -> alert_subscribers (subscriber_id));

diesel::table! {
    blob_files (sha256) {
        sha256 -> Text,
        bytes -> Binary,
        size -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    candidate_identities (kind, value) {
        kind -> Text,
        value -> Text,
        candidate_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    candidate_sources (id) {
        id -> Text,
        candidate_id -> Text,
        opening_id -> Nullable<Text>,
        kind -> Text,
        network -> Text,
        remote_id -> Text,
        url -> Nullable<Text>,
        author -> Nullable<Text>,
        text -> Text,
        posted_at -> Nullable<Timestamp>,
        harvested_at -> Timestamp,
    }
}

diesel::table! {
    candidate_cvs (candidate_id, sha256) {
        candidate_id -> Text,
        sha256 -> Text,
        source_url -> Nullable<Text>,
        format -> Text,
        size -> BigInt,
        fetched_at -> Timestamp,
    }
}

diesel::table! {
    cv_texts (sha256) {
        sha256 -> Text,
        format -> Text,
        pages -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    shortlist_entries (opening_id, candidate_id) {
        opening_id -> Text,
        candidate_id -> Text,
        state -> Text,
        origin -> Text,
        score -> BigInt,
        explanation -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    shortlist_events (id) {
        id -> Text,
        opening_id -> Text,
        candidate_id -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        actor_id -> Nullable<Text>,
        at -> Timestamp,
        note -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    harvest_cursors (delivery_id) {
        delivery_id -> Text,
        seen -> Text,
        next_run_at -> Timestamp,
        runs -> BigInt,
        fail_count -> BigInt,
        last_error -> Nullable<Text>,
        unsupported -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    candidate_messages (id) {
        id -> Text,
        idempotency_key -> Text,
        candidate_id -> Text,
        opening_id -> Nullable<Text>,
        kind -> Text,
        channel -> Text,
        account_id -> Nullable<Text>,
        target -> Text,
        reply_to -> Nullable<Text>,
        state -> Text,
        due_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        remote_id -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    candidate_merges (id) {
        id -> Text,
        survivor_id -> Text,
        absorbed_id -> Text,
        reason -> Text,
        moved -> Text,
        actor_id -> Nullable<Text>,
        merged_at -> Timestamp,
        undone_at -> Nullable<Timestamp>,
        undone_by -> Nullable<Text>,
    }
}

diesel::joinable!(shortlist_entries -> candidates (candidate_id));
diesel::joinable!(harvest_cursors -> deliveries (delivery_id));
diesel::joinable!(sourcing_searches -> openings (opening_id));
diesel::joinable!(candidate_sources -> candidates (candidate_id));
diesel::joinable!(candidate_cvs -> candidates (candidate_id));

diesel::table! {
    sourcing_searches (id) {
        id -> Text,
        opening_id -> Text,
        account_id -> Text,
        hashtag -> Text,
        keywords -> Text,
        active -> Bool,
        seen -> Text,
        found -> BigInt,
        next_run_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    skill_overrides (slug) {
        slug -> Text,
        label_en -> Text,
        label_fr -> Text,
        category -> Text,
        aliases -> Text,
        ambiguous -> Bool,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    review_links (id) {
        id -> Text,
        opening_id -> Text,
        reviewer_id -> Text,
        token_hash -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        idempotency_key -> Text,
        kind -> Text,
        user_id -> Nullable<Text>,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        state -> Text,
        due_at -> Timestamp,
        attempts -> BigInt,
        lease_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        candidate_id -> Nullable<Text>,
    }
}

diesel::table! {
    notification_settings (user_id) {
        user_id -> Text,
        shortlist -> Text,
        failures -> Bool,
        response_targets -> Bool,
        digest_sent_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    shortlist_notices (user_id, opening_id, candidate_id) {
        user_id -> Text,
        opening_id -> Text,
        candidate_id -> Text,
        notified_at -> Timestamp,
    }
}

diesel::table! {
    candidate_email_templates (kind, language) {
        kind -> Text,
        language -> Text,
        subject -> Text,
        body -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    privacy_links (token_hash) {
        token_hash -> Text,
        candidate_id -> Text,
        scope -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    privacy_requests (id) {
        id -> Text,
        candidate_id -> Nullable<Text>,
        kind -> Text,
        origin -> Text,
        state -> Text,
        message -> Nullable<Text>,
        requested_at -> Timestamp,
        due_at -> Timestamp,
        done_at -> Nullable<Timestamp>,
        done_by -> Nullable<Text>,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    sourcing_objections (identity_hash) {
        identity_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    retention_due (person_id) {
        person_id -> Text,
        name -> Text,
        rule -> Text,
        due_at -> Timestamp,
    }
}

diesel::table! {
    retention_dirty (person_id) {
        person_id -> Text,
    }
}

diesel::table! {
    install_settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor -> Text,
        action -> Text,
        candidate_id -> Nullable<Text>,
        opening_id -> Nullable<Text>,
    }
}

diesel::table! {
    purge_runs (id) {
        id -> Text,
        ran_at -> Timestamp,
        reason -> Text,
        candidates -> BigInt,
        counts -> Text,
    }
}

// 2026-12-03-000002_hardening
diesel::table! {
    user_totp (user_id) {
        user_id -> Text,
        secret_sealed -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_challenges (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        next_path -> Text,
        failures -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    candidate_signals (kind, value, candidate_id) {
        kind -> Text,
        value -> Text,
        candidate_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    merge_proposals (id) {
        id -> Text,
        candidate_a -> Text,
        candidate_b -> Text,
        reason -> Text,
        value -> Text,
        proposed_at -> Timestamp,
        decision -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        merge_id -> Nullable<Text>,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> Text,
        key_hash -> Text,
        failed_at -> Timestamp,
    }
}
